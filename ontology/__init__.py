"""The citykg ontology and concept schemes (Turtle), installed as package data."""
