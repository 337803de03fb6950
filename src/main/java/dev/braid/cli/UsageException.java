package dev.braid.cli;

/** The command line itself is wrong: the CLI prints the message and its usage and exits with 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
