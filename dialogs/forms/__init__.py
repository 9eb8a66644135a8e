"""Forms are declared slot lists with validators; `engine` interprets them."""
