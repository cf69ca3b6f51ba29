"""Text understanding for the hotline: plain Python, no Django; takes text, returns dataclasses."""
