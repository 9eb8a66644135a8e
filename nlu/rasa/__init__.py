"""Rasa 3.6 backend assets: pipeline config, server endpoints and the training-data export.

Rasa itself runs in its own Python 3.10 virtualenv (scripts/rasa-setup.sh); nothing here imports it.
"""
