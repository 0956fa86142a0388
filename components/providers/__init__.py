"""pulumi.dynamic providers written with boto3, for what pulumi-aws lacks."""
