"""widerspruch: object to Meta using your data to train AI, and keep proof."""

__version__ = "0.1.0"
