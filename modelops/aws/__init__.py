"""AWS knowledge as data and pure functions: names, IAM scopes, tags, regions, instance facts,
which input changes replace a resource, the model registry and rollback alarms."""
