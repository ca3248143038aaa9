"""The offline rules model's customer-service dialogue: understanding, requests, replies.

`dialogue.next_message` decides the next assistant message from the conversation alone; the
rest is its parts (the dialogue state read back from the transcript, the language
understanding, the requests of a message, the planning of a change, the reply templates).
"""

from shopcrew.agents.cs.rules.dialogue import next_message

__all__ = ["next_message"]
