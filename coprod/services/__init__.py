"""The business rules of coprod. Services never commit and never import Flask."""
