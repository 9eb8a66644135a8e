"""Policy knowledge from the source documents, with citations, and its retrieval."""
