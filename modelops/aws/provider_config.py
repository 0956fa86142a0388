"""The stack config keys the aws provider (pulumi-aws, pinned in requirements.txt) takes.

The default aws provider, which the program's resources use, refuses a stack whose `aws:`
config holds any other key: "`aws:awsAccessKey` is not a valid configuration key for the aws
provider" (pulumi/pulumi-aws#5116, and #3360: by design since v6). A misspelt `aws:regoin` is
refused there, at deploy time; `validate` refuses it first.

The keys are those pulumi_aws/config/vars.py reads; tests/test_validation_messages.py holds
this list equal to the installed provider's.
"""

AWS_PROVIDER_KEYS = frozenset(
    {
        "accessKey",
        "allowedAccountIds",
        "assumeRoleWithWebIdentity",
        "assumeRoles",
        "customCaBundle",
        "defaultTags",
        "ec2MetadataServiceEndpoint",
        "ec2MetadataServiceEndpointMode",
        "endpoints",
        "forbiddenAccountIds",
        "httpProxy",
        "httpsProxy",
        "ignoreTags",
        "insecure",
        "maxRetries",
        "noProxy",
        "profile",
        "region",
        "retryMode",
        "s3UsEast1RegionalEndpoint",
        "s3UsePathStyle",
        "secretKey",
        "sharedConfigFiles",
        "sharedCredentialsFiles",
        "skipCredentialsValidation",
        "skipMetadataApiCheck",
        "skipRegionValidation",
        "skipRequestingAccountId",
        "stsRegion",
        "tagPolicyCompliance",
        "token",
        "tokenBucketRateLimiterCapacity",
        "useDualstackEndpoint",
        "useFipsEndpoint",
        "userAgents",
    }
)
