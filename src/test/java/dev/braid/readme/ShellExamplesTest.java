package dev.braid.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellExamplesTest {

    @Test
    void commandsJoinAcrossBackslashesAndOpenQuotesAndLoseTheirComments() {
        List<String> markdown = List.of(
                "Some prose with `curl not-a-block`.",
                "```bash",
                "curl localhost:8080/a   # a comment",
                "curl localhost:8080/b -H 'X: #not a comment' \\",
                "  -d '{\"a\": 1,",
                "       \"b\": 2}'",
                "ID=$(curl -s x | grep -Eo '[0-9a-f-]{36}')",
                "",
                "```",
                "```text",
                "java -jar target/braid.jar COMMAND   # a synopsis, not a command",
                "```");
        List<ShellExamples.Example> examples = ShellExamples.of(markdown);
        assertThat(examples).extracting(ShellExamples.Example::line).containsExactly(3, 4, 7);
        assertThat(examples).extracting(ShellExamples.Example::command).containsExactly(
                "curl localhost:8080/a",
                "curl localhost:8080/b -H 'X: #not a comment'    -d '{\"a\": 1,\n       \"b\": 2}'",
                "ID=$(curl -s x | grep -Eo '[0-9a-f-]{36}')");
        assertThat(ExampleShell.isAssignment(examples.get(2).command())).isTrue();
        assertThat(ExampleShell.isAssignment(examples.get(0).command())).isFalse();
    }
}
