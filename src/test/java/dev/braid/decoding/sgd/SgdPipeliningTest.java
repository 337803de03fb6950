package dev.braid.decoding.sgd;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StepDriver;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.training.ChatFormat;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * braid-base writes its own skeleton, and points whose lines are complete start before the rest of
 * it is written. Pipelining changes when a point starts, never what it is given.
 */
class SgdPipeliningTest {

    private static final String QUESTION = "What is caching, why does it matter, and how do I start?";

    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = LoadedModel.load(BundledModels.folder("braid-base").orElseThrow(), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest request() {
        int[] prompt = model.tokenizer().encode(ChatFormat.prompt(QUESTION));
        return new GenerationRequest(prompt, SamplingParams.GREEDY,
                new StopCriteria(new HashSet<>(model.generation().eosTokenIds()), List.of(), 256));
    }

    private static GenerationResult run(SgdPrompts prompts, StepDriver driver) {
        SgdTask task = (SgdTask) new SgdStrategy(prompts, null).newTask(request(), model.tokenizer(), new ResultFuture());
        return driver.run(task);
    }

    @Test
    void independentPointsStartWhileTheSkeletonIsWrittenAndAnswerAsAfterIt() {
        try (StepDriver driver = new StepDriver(model, 16, 256)) {
            GenerationResult pipelined = run(SgdPrompts.DEFAULT, driver);
            SgdTrace trace = pipelined.trace(SgdTrace.class).orElseThrow();
            assertThat(trace.fellBack()).as(trace.fallbackReason()).isFalse();
            List<SgdTrace.NodeRecord> nodes = trace.nodes();
            assertThat(nodes).hasSizeGreaterThanOrEqualTo(2);
            assertThat(nodes.get(0).dependsOn()).isEmpty();
            assertThat(nodes.get(0).startStep()).as("point 1 starts before the skeleton's last step")
                    .isLessThan(trace.skeletonSteps());
            assertThat(driver.cache().pool().usedBlocks()).isZero();

            // the same skeleton given up front: nothing can start early, and every point gets the same prompt
            GenerationResult afterwards = run(SgdPrompts.DEFAULT.withFixedSkeleton(trace.skeleton()), driver);
            SgdTrace fixed = afterwards.trace(SgdTrace.class).orElseThrow();
            assertThat(fixed.nodes().get(0).startStep()).isGreaterThan(0);
            assertThat(pipelined.first().tokenIds()).containsExactly(afterwards.first().tokenIds());
            assertThat(pipelined.steps()).as("overlapping the skeleton saves steps")
                    .isLessThan(trace.skeletonSteps() + afterwards.steps());
        }
    }

    @Test
    void aMalformedLineFallsBackAsSoonAsItIsComplete() {
        SgdPrompts d = SgdPrompts.DEFAULT;
        // a first line that is no point, put in the model's mouth
        SgdPrompts preamble = new SgdPrompts(d.chat(), d.skeletonRequest(), "Plan:\n" + d.skeletonPrefill(),
                d.nodeRequest(), d.parentAnswer(), d.nodeAnswer(), d.heading(), d.separator(), d.maxSkeletonTokens(),
                d.maxPoints(), d.maxNodeTokens(), d.nodeEndsAtNewline(), null);
        try (StepDriver driver = new StepDriver(model, 16, 256)) {
            SgdTrace whole = run(d, driver).trace(SgdTrace.class).orElseThrow();
            GenerationResult result = run(preamble, driver);
            SgdTrace trace = result.trace(SgdTrace.class).orElseThrow();
            assertThat(trace.fallbackReason()).startsWith("malformed skeleton: line 1 is not a point");
            assertThat(trace.skeleton()).as("stopped at the first line the model completed")
                    .startsWith("Plan:\n1.").endsWith("\n").containsOnlyOnce("\n1.")
                    .matches("(?s)Plan:\n[^\n]*\n");
            assertThat(trace.skeletonSteps()).isLessThan(whole.skeletonSteps());
            GenerationResult ar = driver.run(new AutoregressiveStrategy().newTask(request(), model.tokenizer(),
                    new ResultFuture()));
            assertThat(result.first().tokenIds()).containsExactly(ar.first().tokenIds());
            assertThat(result.steps()).isEqualTo(trace.skeletonSteps() + ar.steps());
            assertThat(driver.cache().pool().usedBlocks()).isZero();
        }
    }

    @Test
    void aSkeletonCutShortAfterPointsStartedFallsBackAndFreesThem() {
        String skeleton;
        try (StepDriver driver = new StepDriver(model, 16, 256)) {
            skeleton = run(SgdPrompts.DEFAULT, driver).trace(SgdTrace.class).orElseThrow().skeleton();
        }
        // the budget ends a few characters into the last line, after the lines before it started points
        int cutAt = skeleton.lastIndexOf('\n') + 4;
        int budget = model.tokenizer().encode(skeleton.substring(SgdPrompts.DEFAULT.skeletonPrefill().length(), cutAt),
                false).length;
        try (StepDriver driver = new StepDriver(model, 16, 256)) {
            GenerationResult cut = run(SgdPrompts.DEFAULT.withBudgets(budget, 128), driver);
            assertThat(driver.planned()).as("points ran beside the skeleton").anyMatch(step -> step.size() >= 2);
            SgdTrace cutTrace = cut.trace(SgdTrace.class).orElseThrow();
            assertThat(cutTrace.fellBack()).isTrue();
            assertThat(cutTrace.fallbackReason()).startsWith("malformed skeleton");
            assertThat(cutTrace.nodes()).isEmpty();
            assertThat(driver.cache().pool().usedBlocks()).as("the points started early are freed").isZero();
            int[] plain = cut.first().tokenIds();
            assertThat(model.tokenizer().decode(plain)).startsWith("1. What it is:");
        }
    }
}
