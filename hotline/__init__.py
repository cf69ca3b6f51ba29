"""A platform for China's 12345 government service hotline."""
