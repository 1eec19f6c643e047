"""Training code for the service's model: dataset loading, fitting, evaluation."""
