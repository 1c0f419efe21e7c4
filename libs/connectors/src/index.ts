// Connector type registry, runtimes (http, stripe, smtp, s3), egress guard.
