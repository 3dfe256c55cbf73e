"""Billboard mockups: frame settings, compositing, green-screen detection, posters, photo choice."""
