"""HTTP details the framework leaves to us: streamed multipart bodies and byte ranges."""
