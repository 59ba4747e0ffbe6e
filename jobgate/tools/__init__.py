"""The tools around the gateway: the `jobgate` command, its HTTP client, the embedded
Redis, the README's generated table and stopping child processes."""
