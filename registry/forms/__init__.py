"""Forms, one module per journey step group."""
