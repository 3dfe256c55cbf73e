"""The OpenAPI document says how to authenticate on exactly the routes that need it."""

from __future__ import annotations

from fastapi import FastAPI

from tests.api.auth.test_matrix import PUBLIC, SLACK_SIGNED


async def test_protected_operations_declare_bearer_and_api_key(app: FastAPI) -> None:
    schema = app.openapi()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["apiKey"]["in"] == "header" and schemes["apiKey"]["name"] == "X-API-Key"
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = operation.get("security")
            if (method.upper(), path) in PUBLIC | SLACK_SIGNED:
                # Public, or authenticated by Slack's request signature (not a user's token).
                assert declared is None, (method, path)
            else:
                assert declared == [{"bearer": []}, {"apiKey": []}], (method, path)
                checked += 1
    assert checked >= 70
