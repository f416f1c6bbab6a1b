"""The SHACL shapes of citykg (Turtle), installed as package data."""
