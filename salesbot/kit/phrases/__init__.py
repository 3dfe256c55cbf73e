"""The contract between the offline model and the capabilities' `offline.py` phrase families:
tokens, the token view rules read, intents and the small readers rules build on. The engine
that runs them (lexer, rule order, answers) is `salesbot.assistant.offline`.
"""
