package dev.braid.cli;

/** {@code --help} among a command's options: the CLI prints that command's help and exits with 0. */
final class HelpRequested extends RuntimeException {

    private final Usage usage;

    HelpRequested(Usage usage) {
        super(null, null, false, false);
        this.usage = usage;
    }

    Usage usage() {
        return usage;
    }
}
