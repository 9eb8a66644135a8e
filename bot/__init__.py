"""The application core: settings, the pipeline, conversation state, the case store, the HTTP app."""
