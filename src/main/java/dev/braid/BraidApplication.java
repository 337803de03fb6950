package dev.braid;

import dev.braid.cli.Cli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The service, and (with a subcommand) the command-line tools of the same jar. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BraidApplication {

    public static void main(String[] args) {
        if (Cli.handles(args)) {
            // Logs go to stderr so that stdout carries only the command's output (e.g. --json).
            System.setProperty("logback.configurationFile", "logback-cli.xml");
            System.setProperty("ai.djl.offline", "true");
            System.exit(Cli.run(args, System.out, System.err));
        }
        String[] serveArgs = args.length > 0 && args[0].equals("serve")
                ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        System.setProperty("ai.djl.offline", "true");
        SpringApplication.run(BraidApplication.class, serveArgs);
    }
}
