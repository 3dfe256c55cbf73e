"""Reading a booking order from a document (parser or LLM) and from the user's notes."""
