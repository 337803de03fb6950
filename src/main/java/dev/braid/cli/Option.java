package dev.braid.cli;

/**
 * One option of a command as both the parser and the help know it: {@code --name VALUE} when it
 * takes a value, {@code --name} alone when it is a flag.
 *
 * @param value     the value's placeholder in the help ({@code N}, {@code DIR}); null for a flag
 * @param required  the command refuses to run without it
 * @param fallback  the value when the option is not given (the help shows it), or null
 */
record Option(String name, String value, boolean required, String fallback, String help) {

    static Option valued(String name, String value, String help) {
        return new Option(name, value, false, null, help);
    }

    static Option required(String name, String value, String help) {
        return new Option(name, value, true, null, help);
    }

    static Option flag(String name, String help) {
        return new Option(name, null, false, null, help);
    }

    /** This option, taking {@code fallback} when it is not given. */
    Option defaults(Object fallback) {
        return new Option(name, value, required, String.valueOf(fallback), help);
    }

    /** The help line's text: what it does, its default, whether it is required. */
    String describe() {
        return help + (fallback != null ? " (default " + fallback + ")" : "") + (required ? " (required)" : "");
    }

    boolean flag() {
        return value == null;
    }

    /** {@code --name VALUE}, as the synopsis and the option list spell it. */
    String spelled() {
        return "--" + name + (flag() ? "" : " " + value);
    }
}
