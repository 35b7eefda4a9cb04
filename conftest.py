"""Every service's tests use one pytest plugin: shared.testing (databases, tokens, ports)."""

pytest_plugins = ["shared.testing"]
