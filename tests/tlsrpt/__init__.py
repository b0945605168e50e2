"""Tests of TLS reports that arrive by themselves: the HTTPS reporting endpoint and the mailbox poller."""
