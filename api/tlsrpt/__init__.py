"""TLS reports that arrive by themselves: the RFC 8460 HTTPS reporting endpoint and the mailbox poller."""
