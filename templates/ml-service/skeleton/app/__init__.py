"""Model server: Open Inference Protocol (V2) and KServe V1 over FastAPI."""

__version__ = "0.1.0"
