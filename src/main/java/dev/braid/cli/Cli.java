package dev.braid.cli;

import dev.braid.model.ModelLoadException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * The command-line tools in the server's jar. Exit codes: 0 success (and {@code --help}), 1 the work
 * failed (the message says why), 2 the command line is wrong.
 */
public final class Cli {

    public static final Set<String> COMMANDS = Set.of("generate", "bench", "init-model", "train");

    /** Every command's synopsis, generated from the options each one parses. */
    private static final String USAGE = usage(List.of(GenerateCommand.USAGE, BenchCommand.USAGE, HttpBench.USAGE,
            InitModelCommand.USAGE, TrainCommand.USAGE));

    private Cli() {
    }

    public static boolean handles(String[] args) {
        return args.length > 0 && (COMMANDS.contains(args[0]) || args[0].equals("help") || args[0].equals("--help"));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return switch (args[0]) {
                case "generate" -> GenerateCommand.run(args, out);
                case "bench" -> HttpBench.handles(args) ? HttpBench.run(args, out) : BenchCommand.run(args, out);
                case "init-model" -> InitModelCommand.run(args, out);
                case "train" -> TrainCommand.run(args, out, err);
                case "help", "--help" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> throw new UsageException("unknown command '" + args[0] + "'");
            };
        } catch (HelpRequested help) {
            out.print(help.usage().help());
            return 0;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ModelLoadException | IllegalArgumentException | IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return 1;
        } catch (RuntimeException e) {
            err.println("error: " + e);
            return 1;
        }
    }

    private static String usage(List<Usage> commands) {
        StringBuilder text = new StringBuilder("usage: ").append(Usage.JAR).append(" [serve]   run the service (the default)\n");
        for (Usage command : commands) {
            text.append(Usage.INDENT).append(command.synopsis()).append('\n');
        }
        return text.append(Usage.INDENT).append(Usage.JAR).append(" COMMAND --help   what a command does and its options\n")
                .toString();
    }
}
