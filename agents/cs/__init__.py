"""The customer-service agent: the guard, structured proposals, the confirmation reader."""
