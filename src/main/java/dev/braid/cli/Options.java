package dev.braid.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name value} and {@code --flag} options of one subcommand. Unknown options, missing
 * values and malformed numbers are usage errors naming the option.
 */
final class Options {

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, String> fallbacks = new HashMap<>();

    private Options() {
    }

    /**
     * The options {@code usage} defines, from {@code args[from]} on. {@code --help} anywhere an option
     * may stand asks for the help instead ({@link HelpRequested}), before anything else is checked.
     */
    static Options parse(String[] args, int from, Usage usage) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                throw new HelpRequested(usage);
            }
            Option option = args[i].startsWith("--") ? usage.option(args[i].substring(2).split("=", 2)[0]) : null;
            if (option != null && !option.flag() && !args[i].contains("=")) {
                i++; // its value, which may itself look like --help
            }
        }
        Options options = new Options();
        usage.options().stream().filter(o -> o.fallback() != null).forEach(o -> options.fallbacks.put(o.name(), o.fallback()));
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = usage.option(name);
            if (option != null && option.flag() && inline == null) {
                options.values.put(name, "true");
            } else if (option != null && !option.flag()) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                options.values.put(name, value);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        for (Option option : usage.options()) {
            if (option.required() && !options.has(option.name())) {
                throw new UsageException("option --" + option.name() + " is required");
            }
        }
        return options;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The option's value, or its definition's default ({@link Option#defaults}). */
    String string(String name) {
        return values.getOrDefault(name, fallbacks.get(name));
    }

    /** {@link #integer(String, int, int, int)} with the definition's default. */
    int integer(String name, int min, int max) {
        return integer(name, Integer.parseInt(fallbacks.get(name)), min, max);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException("option --" + name + " is required");
        }
        return value;
    }

    int integer(String name, int fallback, int min, int max) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw new UsageException("option --" + name + " must be between " + min + " and " + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be an integer, got '" + value + "'");
        }
    }

    long longValue(String name, long fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be an integer, got '" + value + "'");
        }
    }

    /** {@link #longValue(String, long)} with the definition's default. */
    long longValue(String name) {
        return longValue(name, Long.parseLong(fallbacks.get(name)));
    }

    Long optionalLong(String name) {
        return has(name) ? longValue(name, 0) : null;
    }

    double decimal(String name, double fallback, double min, double max) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.trim());
            if (!(parsed >= min && parsed <= max)) {
                throw new UsageException("option --" + name + " must be between " + min + " and " + max + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be a number, got '" + value + "'");
        }
    }

    /** The option's value within bounds, or null when it is not given (a default comes from elsewhere). */
    Double optionalDecimal(String name, double min, double max) {
        return has(name) ? decimal(name, 0, min, max) : null;
    }

    Integer optionalInteger(String name, int min, int max) {
        return has(name) ? integer(name, 0, min, max) : null;
    }

    /** A comma-separated list of integers, e.g. token ids or concurrency levels. */
    int[] integers(String name, int min) {
        String value = has(name) ? values.get(name) : fallbacks.get(name);
        if (value == null) {
            throw new UsageException("option --" + name + " is required");
        }
        List<Integer> parsed = new ArrayList<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                int v = Integer.parseInt(part.trim());
                if (v < min) {
                    throw new UsageException("option --" + name + " holds " + v + ", below the minimum " + min);
                }
                parsed.add(v);
            } catch (NumberFormatException e) {
                throw new UsageException("option --" + name + " must be comma-separated integers, got '" + part.trim() + "'");
            }
        }
        if (parsed.isEmpty()) {
            throw new UsageException("option --" + name + " is empty");
        }
        return parsed.stream().mapToInt(Integer::intValue).toArray();
    }
}
