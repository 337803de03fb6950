package dev.braid.worker;

import ai.djl.ndarray.NDScope;
import dev.braid.common.Median;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GuessMemory;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepPrice;
import dev.braid.kv.BlockPool;
import dev.braid.kv.BlockTable;
import dev.braid.kv.KvCapacityException;
import dev.braid.kv.KvLease;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.StepBatch;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import dev.braid.model.CpuThreads;
import dev.braid.model.ProductMethod;
import dev.braid.model.ProductRows;
import dev.braid.model.StepProfile;
import dev.braid.model.StepProfile.Phase;
import dev.braid.model.Transformer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-batching loop of one device. Every step it admits waiting tasks that fit in the KV
 * pool, collects one plan per live sequence, runs one forward pass for all of them, lets each task
 * consume its logits, and retires finished tasks. Tasks join and leave between steps. The worker
 * owns the KV cache: each task gets a {@link KvLease} for its sequences and never sees the cache;
 * the worker releases the lease when the task ends, fails or is preempted, and feeds long prompts
 * in chunks itself (chunked prefill).
 *
 * <p>KV policy: blocks are allocated lazily, step by step. When the pool cannot serve a step, the
 * newest running task is preempted (its blocks freed, its context recomputed when it is admitted
 * again), so older requests keep their progress. Recompute makes the same tokens because a task's
 * sampler state lives with its sequences, not in the cache.
 */
public final class DeviceWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeviceWorker.class);
    /**
     * Positions kept free per running task when admitting another: one 16-position block used to be
     * the reserve, and a Jacobi or lookahead step of a few guesses fits it.
     */
    private static final int SPARE_POSITIONS_PER_TASK = 16;
    /**
     * Uncached prompt tokens shared with a request still prefilling that make a request wait rather
     * than compute them too: a step of a few dozen more tokens costs about what one more decode step
     * costs (the step-cost curve is flat that far), so less is not worth the wait.
     */
    private static final int SHARED_PREFIX_WORTH_A_STEP = 32;
    /**
     * Calibration: rounds that run first and are not counted, then rounds measured; the warm-up of a
     * worker's first timing (its product methods on a CPU, else the step-cost ladder). Small steps are
     * where guesses are priced, and a few rounds leave them timed while the JIT still compiles the
     * step's Java code, far slower than they will run (README, "Guess budgets").
     */
    private static final int CALIBRATION_WARMUP = 10;
    private static final int CALIBRATION_ROUNDS = 10;
    /**
     * Warm-up rounds once a worker's first timing has run them all: its step code is compiled by then,
     * and what remains to warm is the cache for the next shape or thread count.
     */
    private static final int CALIBRATION_WARM_WARMUP = 2;
    /** Steps of more query tokens run fewer rounds: they cost the most, and noise is a smaller part of them. */
    private static final int CALIBRATION_LARGE_STEP = 32;
    private static final int CALIBRATION_LARGE_WARMUP = 2;
    private static final int CALIBRATION_LARGE_ROUNDS = 3;
    /** One-token steps that run before each round's step on the other copy of the weights: a decode's plain steps. */
    private static final int SWITCH_PLAIN_RUN = 4;
    /**
     * A round of timings in turns this slow (a large model's few-token steps) runs only as many
     * rounds as a large step does: its steps are mostly arithmetic, and twenty rounds of them would
     * hold up the worker's start by minutes on a model of billions of parameters.
     */
    private static final double CALIBRATION_SLOW_ROUND_MS = 200;
    /**
     * Context over which calibration times what a query token adds per context token: long enough that
     * the difference stands out of a shared host's noise, short enough for any model's context.
     */
    private static final int CALIBRATION_CONTEXT = 256;
    /** The larger step of that timing, against one token. */
    private static final int CONTEXT_PROBE_TOKENS = 16;
    /**
     * Idle polls on which the worker times one more small synthetic step, keeping each point's
     * fastest: a slow spell of the host during the start-up calibration no longer sets the price of
     * guesses for the worker's life. Bounded, so an idle worker soon does nothing.
     */
    private static final int IDLE_CALIBRATIONS = 100;

    private final String name;
    private final Transformer model;
    private final PagedKvCache cache;
    private final WorkerSettings settings;
    private final LinkedBlockingQueue<DecodingTask> incoming = new LinkedBlockingQueue<>();
    private final Deque<DecodingTask> waiting = new ArrayDeque<>();
    private final List<DecodingTask> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean resetPeakRequested;
    private volatile boolean dropIdlePrefixesRequested;
    private volatile WorkerStats stats;
    private long steps;
    private long preemptions;
    private final StepCostModel stepCost = new StepCostModel();
    private final StepCost pricing;
    private final GuessMemory guessMemory = new GuessMemory();
    /** Held by the one worker of this process that is calibrating. */
    private static final Object CALIBRATING = new Object();
    private final StepProfile profile = new StepProfile();
    /** Whether the steps calibration put in parallel are faster there in traffic; a new trial for what stays parallel. */
    private ParallelTrial parallelTrial = new ParallelTrial();
    /** What steps cost on one thread by the calibration, which the trials compare windows of steps by. */
    private final StepCostModel oneThreadCost = new StepCostModel();
    /** Query tokens of the last step run, prompts' included: which copy of the weights its products read. */
    private int lastStepTokens;
    /** How many CPU threads a step of so many tokens runs on; one until calibration says otherwise. */
    private StepThreads threads = StepThreads.one();
    /** Whether a calibration timing has run its full warm-up on this worker ({@link #CALIBRATION_WARM_WARMUP}). */
    private boolean warmedUp;
    /** What this worker's step cost, threads and product methods were set from; null until then, or if it failed. */
    private volatile Calibration calibration;
    /** Idle polls spent timing a small step so far ({@link #IDLE_CALIBRATIONS} at most). */
    private volatile int idleCalibrations;
    private volatile StepPrice price;
    /**
     * Query tokens a step may take before long prompts are prefilled in chunks; set at calibration.
     * The worker thread's alone; others read it in {@link #stats()}.
     */
    private int stepTokens = StepCostModel.CALIBRATED_UP_TO;
    /** The model's product methods as calibration left them, kept so that a step's snapshot need not rebuild them. */
    private List<WorkerStats.ProductChoice> products;

    public DeviceWorker(String name, Transformer model, WorkerSettings settings) {
        this(name, model, settings, null);
    }

    /**
     * A worker that prices guesses by {@code pricing} instead of its measured step cost (which it
     * still measures): a known device curve, or a fixed one that makes strategies guess at their
     * full shape whatever the host.
     */
    public DeviceWorker(String name, Transformer model, WorkerSettings settings, StepCost pricing) {
        this.name = name;
        this.pricing = pricing == null ? stepCost : pricing;
        this.price = new StepPrice(StepPrice.FREE.cost(), 0, 0, guessMemory);
        this.model = model;
        this.settings = settings;
        this.cache = new PagedKvCache(model.cacheSpec(settings.blockSize(), settings.numBlocks()), model.device(),
                settings.prefixCaching());
        this.products = productChoices(1);
        this.stats = snapshot();
        this.thread = Thread.ofPlatform().name("braid-worker-" + name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    public String name() {
        return name;
    }

    public Transformer model() {
        return model;
    }

    public WorkerStats stats() {
        return stats;
    }

    /** Starts a new peak-KV-blocks measurement at the next step boundary. */
    public void resetPeakBlocks() {
        resetPeakRequested = true;
    }

    /**
     * Empties the prefix cache of blocks no request holds, at the next step boundary, before any task
     * submitted after this call is admitted: measurements that must start cold (bench) ask for it.
     */
    public void dropIdlePrefixes() {
        dropIdlePrefixesRequested = true;
    }

    /** Queues a task; it starts at a step boundary. Refuses what could never run. */
    public void submit(DecodingTask task) {
        int context = model.config().maxPositionEmbeddings();
        int prompt = task.request().promptIds().length;
        if (prompt >= context) {
            throw new IllegalArgumentException("prompt of " + prompt + " tokens does not fit the model's context of "
                    + context + " tokens");
        }
        if (task.admissionBlocks(settings.blockSize()) > settings.numBlocks()) {
            throw new IllegalArgumentException("prompt of " + prompt + " tokens needs more KV blocks than the worker has ("
                    + settings.numBlocks() + " of " + settings.blockSize() + " positions)");
        }
        if (stopping) {
            throw new IllegalStateException("worker " + name + " is shutting down");
        }
        if (waitingRoom() == 0) {
            throw new QueueFullException("worker " + name + " has " + settings.maxWaitingTasks() + " tasks waiting");
        }
        incoming.add(task);
    }

    /**
     * Tasks {@link #submit} takes now before it refuses one as a full queue, counted exactly as it
     * counts them, so a caller that asks first (the job runner) is never refused for lack of room.
     * A stopping worker has none.
     */
    public int waitingRoom() {
        if (stopping) {
            return 0;
        }
        return Math.max(0, settings.maxWaitingTasks() - incoming.size() - stats.waitingTasks());
    }

    /** Where this worker's steps have spent their time, summed since it started. */
    public StepProfile.Totals stepProfile() {
        return profile.snapshot();
    }

    /**
     * The batch a request joining now steps beside: the last step's query tokens and accepted tokens,
     * priced by what this worker prices guesses by (its measured step cost, or the curve it was given);
     * no tokens while nothing runs.
     */
    public StepPrice batch() {
        StepPrice last = price;
        return stats().runningTasks() == 0 ? new StepPrice(pricing, 0, 0) : new StepPrice(pricing, last.tokens(),
                last.accepted());
    }

    /** The measured cost of this worker's steps, by query tokens. */
    public StepCostModel stepCost() {
        return stepCost;
    }

    /**
     * Times synthetic steps of the ladder's token counts (no context, nothing committed) so that
     * guesses are priced from the first request on; real steps refine the curve from then on. A
     * worker whose model has the shape of one calibrated earlier in this process takes that
     * calibration over ({@link Calibration}).
     */
    private void calibrate() {
        int maxThreads = CpuThreads.parallelThreads();
        if (maxThreads > 1 && model.device().isGpu()) {
            maxThreads = 1;
        }
        Calibration.Shape shape = new Calibration.Shape(model.config(), model.dtype(), model.device(), maxThreads,
                settings.blockSize());
        // workers that load together (the bundled models at start) would time each other's steps
        synchronized (CALIBRATING) {
            Calibration calibration = Calibration.measuredFor(shape);
            if (calibration != null) {
                log.info("worker {} takes over the step calibration of an earlier worker of its shape in this process",
                        name);
            } else {
                try {
                    calibration = measure(maxThreads);
                    Calibration.remember(shape, calibration);
                } catch (RuntimeException e) {
                    log.warn("worker {} could not calibrate its step cost; it learns it from real steps: {}", name,
                            e.getMessage());
                }
            }
            if (calibration != null) {
                apply(calibration, maxThreads);
                this.calibration = calibration;
                log.info("worker {} step cost (query tokens: ms): {}", name, describeStepCost());
            }
        }
        // the synthetic steps' blocks are no request's
        cache.pool().resetPeak();
    }

    /** Times the model's product methods, the steps of the ladder on one thread and on {@code maxThreads}, and the context's cost. */
    private Calibration measure(int maxThreads) {
        int context = model.config().maxPositionEmbeddings();
        List<int[]> shapes = new ArrayList<>();
        for (int tokens : StepCostModel.LADDER) {
            if (tokens >= context || tokens > StepCostModel.CALIBRATED_UP_TO) {
                break;
            }
            shapes.add(new int[] {tokens});
        }
        // two sequences of one token against one token and two: the second costs a token and a
        // query length of its own
        shapes.add(new int[] {1, 1});
        shapes.add(new int[] {1, 2});
        if (!model.device().isGpu()) {
            chooseProductMethods(maxThreads, context);
        }
        threads.use(1);
        double[] fastest = fastest(shapes);
        int points = shapes.size() - 2;
        int[] ladder = shapes.subList(0, points).stream().mapToInt(a -> a[0]).toArray();
        StepThreads chosen = StepThreads.one();
        double[] oneThread = Arrays.copyOf(fastest, points);
        if (maxThreads > 1) {
            threads.use(maxThreads);
            double[] parallel = fastest(shapes);
            double[] ladderOnOne = Arrays.copyOf(fastest, points);
            double[] ladderInParallel = Arrays.copyOf(parallel, points);
            chosen = StepThreads.choose(maxThreads, ladder, ladderOnOne, ladderInParallel);
            String ratios = StepThreads.describe(ladder, ladderOnOne, ladderInParallel);
            for (int i = 0; i < fastest.length; i++) {
                int tokens = Arrays.stream(shapes.get(i)).sum();
                fastest[i] = chosen.threadsFor(tokens) > 1 ? parallel[i] : fastest[i];
            }
            if (chosen.parallelFrom() == Integer.MAX_VALUE) {
                log.info("worker {} runs every step on one CPU thread: its steps on {} took {} of their time on one",
                        name, maxThreads, ratios);
            } else {
                log.info("worker {} runs steps of {}+ query tokens on {} CPU threads, smaller ones on one; its steps"
                        + " on {} took {} of their time on one", name, chosen.parallelFrom(), maxThreads,
                        maxThreads, ratios);
            }
        }
        double[] switching = timeSwitch(chosen);
        // the context's cost is timed with one-token steps' threads, as they will run
        threads.use(chosen.threadsFor(1));
        int cached = Math.min(CALIBRATION_CONTEXT, context - CONTEXT_PROBE_TOKENS - 1);
        double contextMs = cached >= CONTEXT_PROBE_TOKENS ? timeContextCost(cached) : 0;
        return new Calibration(model.productMethods(), chosen.parallelFrom(), ladder, Arrays.copyOf(fastest, points),
                oneThread, fastest[points + 1] - fastest[points], contextMs, switching[0], switching[1]);
    }

    /**
     * What a step pays for following steps on the other copy of the weights, {to the packed copy,
     * from it} in ms: of the smallest step beyond one token that multiplies another copy than one-token
     * steps do, the median over rounds of its time right after a run of one-token steps less its time
     * repeated, and the same of the one-token step after it. The ladder's timings take turns between
     * sizes that mostly share a copy, so they price a guess as if the step before had guessed too.
     * Zero where every small step multiplies the same copy.
     */
    private double[] timeSwitch(StepThreads chosen) {
        boolean plainPacked = multipliesPacked(chosen, 1);
        int guess = 0;
        for (int tokens : StepCostModel.LADDER) {
            if (tokens > CALIBRATION_LARGE_STEP || tokens >= model.config().maxPositionEmbeddings()) {
                break;
            }
            if (multipliesPacked(chosen, tokens) != plainPacked) {
                guess = tokens;
                break;
            }
        }
        if (guess == 0) {
            return new double[] {0, 0};
        }
        int warmup = warmupRounds();
        int rounds = CALIBRATION_ROUNDS;
        double[] toGuess = new double[rounds];
        double[] toPlain = new double[rounds];
        for (int round = 0; round < warmup + rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < SWITCH_PLAIN_RUN; i++) {
                timeStepOn(chosen, 1);
            }
            double guessAfterPlain = timeStepOn(chosen, guess);
            double guessAgain = timeStepOn(chosen, guess);
            double plainAfterGuess = timeStepOn(chosen, 1);
            double plainAgain = timeStepOn(chosen, 1);
            if (round >= warmup) {
                toGuess[round - warmup] = guessAfterPlain - guessAgain;
                toPlain[round - warmup] = plainAfterGuess - plainAgain;
            }
            if (round == 0 && (System.nanoTime() - start) / 1e6 > CALIBRATION_SLOW_ROUND_MS) {
                warmup = Math.min(warmup, CALIBRATION_LARGE_WARMUP);
                rounds = CALIBRATION_LARGE_ROUNDS;
                toGuess = Arrays.copyOf(toGuess, rounds);
                toPlain = Arrays.copyOf(toPlain, rounds);
            }
        }
        double toPacked = Median.of(plainPacked ? toPlain : toGuess);
        double fromPacked = Median.of(plainPacked ? toGuess : toPlain);
        log.info("worker {} pays {} ms for a step on the packed weights after steps on the others, {} ms the other"
                + " way (steps of 1 and {} tokens)", name, String.format(Locale.ROOT, "%.2f", toPacked),
                String.format(Locale.ROOT, "%.2f", fromPacked), guess);
        return new double[] {toPacked, fromPacked};
    }

    private boolean multipliesPacked(StepThreads steps, int tokens) {
        return model.multipliesPacked(tokens, steps.threadsFor(tokens) > 1);
    }

    private double timeStepOn(StepThreads steps, int tokens) {
        threads.use(steps.threadsFor(tokens));
        return timeStep(new int[] {tokens});
    }

    /** Sets the model's product methods, the step threads and the cost curve as {@code calibration} measured them. */
    private void apply(Calibration calibration, int maxThreads) {
        ProductMethod[][] methods = calibration.productMethods();
        if (calibration.usesPacked() && !packProducts()) {
            // a weight that could not be packed is multiplied rows first, and said to be
            methods = Arrays.stream(methods)
                    .map(byRows -> Arrays.stream(byRows)
                            .map(m -> m == ProductMethod.PACKED ? ProductMethod.ROWS_FIRST : m)
                            .toArray(ProductMethod[]::new))
                    .toArray(ProductMethod[][]::new);
        }
        model.productMethods(methods);
        if (model.packedBytes() > 0) {
            log.info("worker {} holds its weight products packed as well: {} MiB more", name,
                    model.packedBytes() >> 20);
        }
        products = productChoices(maxThreads);
        threads = StepThreads.from(maxThreads, calibration.parallelFrom());
        threads.use(1);
        for (int i = 0; i < calibration.tokens().length; i++) {
            stepCost.calibrate(calibration.tokens()[i], calibration.millis()[i]);
            oneThreadCost.calibrate(calibration.tokens()[i], calibration.oneThreadMillis()[i]);
        }
        // the second sequence's own token is priced by the curve; the rest is its query length's
        stepCost.calibrateGroup(calibration.secondSequence() - (stepCost.millis(3) - stepCost.millis(2)));
        stepCost.calibrateContext(calibration.contextMillis());
        priceSwitches(calibration);
    }

    /** Which step sizes multiply the packed weights on the threads they run on, and what switching costs. */
    private void priceSwitches(Calibration calibration) {
        boolean[] packedAt = new boolean[StepCostModel.LADDER[StepCostModel.LADDER.length - 1] + 1];
        for (int tokens = 1; tokens < packedAt.length; tokens++) {
            packedAt[tokens] = multipliesPacked(threads, tokens);
        }
        stepCost.calibrateSwitch(packedAt, calibration.switchToPacked(), calibration.switchFromPacked());
    }

    /** Records a step that would run in parallel with its trial, and acts on the verdict when it comes. */
    private void tryParallel(int tokens, double ms) {
        ParallelTrial.Verdict before = parallelTrial.verdict();
        ParallelTrial.Verdict verdict = parallelTrial.record(tokens, ms, oneThreadCost.millis(tokens));
        if (verdict == before) {
            return;
        }
        if (verdict == ParallelTrial.Verdict.ONE_THREAD_FASTER) {
            keepOnOneThread(parallelTrial);
        } else {
            log.info("worker {} keeps steps of {}+ query tokens parallel: in traffic they took {} of their parallel"
                    + " time on one thread (median of {} windows of {} steps each way)", name, threads.parallelFrom(),
                    String.format(Locale.ROOT, "%.2f", parallelTrial.medianRatio()), ParallelTrial.PAIRS,
                    ParallelTrial.WINDOW);
        }
    }

    /**
     * Runs steps of up to {@code trial}'s largest on one thread after all, where trials in traffic ran
     * them faster there than in parallel: from the next calibrated size on they stay parallel, and a
     * new trial watches those. The curve takes their one-thread times; sizes that ran on one thread
     * already keep theirs, which idle refinement may have lowered.
     */
    private void keepOnOneThread(ParallelTrial trial) {
        int[] tokens = calibration.tokens();
        int from = Integer.MAX_VALUE;
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] > trial.largestTried()) {
                from = tokens[i];
                break;
            }
            if (tokens[i] >= threads.parallelFrom()) {
                stepCost.calibrate(tokens[i], calibration.oneThreadMillis()[i]);
            }
        }
        threads = threads.withParallelFrom(from);
        priceSwitches(calibration);
        parallelTrial = new ParallelTrial();
        log.info("worker {} runs {} on one CPU thread after all: in traffic they took {} of their parallel time there"
                + " (median of {} windows of {} steps each way)", name,
                from == Integer.MAX_VALUE ? "every step" : "steps of up to " + (from - 1) + " query tokens (larger"
                        + " ones stay parallel)", String.format(Locale.ROOT, "%.2f", trial.medianRatio()),
                ParallelTrial.PAIRS, ParallelTrial.WINDOW);
    }

    /**
     * What each query token adds per token of cached context: steps of one and of {@link
     * #CONTEXT_PROBE_TOKENS} tokens, over {@code cached} tokens of context and over none, taking turns
     * round by round. The context's own cost, paid whatever the step's tokens, cancels out, and so
     * does what the tokens cost without context.
     */
    private double timeContextCost(int cached) {
        BlockTable table = cache.newSequence();
        try {
            if (!cache.reserve(table, cached + CONTEXT_PROBE_TOKENS)) {
                return 0;
            }
            try (NDScope ignored = new NDScope()) {
                StepOutput output = model.forward(new StepBatch(List.of(StepPlan.append(table, new int[cached]))), cache);
                output.commitPrefix(0, cached);
                output.flush();
            }
            double[] fastest = fastestInTurns(List.of(
                    Timing.small(() -> timeStepOver(table, 1)), Timing.small(() -> timeStep(new int[] {1})),
                    Timing.small(() -> timeStepOver(table, CONTEXT_PROBE_TOKENS)),
                    Timing.small(() -> timeStep(new int[] {CONTEXT_PROBE_TOKENS}))));
            double perToken = ((fastest[2] - fastest[0]) - (fastest[3] - fastest[1])) / (CONTEXT_PROBE_TOKENS - 1);
            return Math.max(0, perToken / cached);
        } finally {
            cache.free(table);
            // the probe's context must not be found cached by a request
            cache.dropIdlePrefixes();
        }
    }

    /**
     * Packs the model's weights for {@link ProductMethod#PACKED}, times each range's candidate methods
     * on one thread and on {@code maxThreads}, and frees the packed copies if no range chose them.
     */
    private void chooseProductMethods(int maxThreads, int context) {
        int[] threadCounts = productThreadCounts(maxThreads);
        try {
            if (!model.packProducts()) {
                return;
            }
            for (int count : threadCounts) {
                threads.use(count);
                for (ProductRows range : ProductRows.values()) {
                    if (range.largestTimed() < context) {
                        model.productMethod(range, count > 1, timeProductMethods(range, count));
                    }
                }
            }
        } catch (RuntimeException e) {
            // e.g. a CPU whose oneDNN has no kernels for half-precision weights
            log.warn("worker {} multiplies rows first: a product method failed: {}", name, e.getMessage());
            for (int threads : threadCounts) {
                for (ProductRows range : ProductRows.values()) {
                    model.productMethod(range, threads > 1, ProductMethod.ROWS_FIRST);
                }
            }
        }
        model.dropUnusedPackedProducts();
    }

    /** Whether the model's weights are packed now; false where this device or libtorch cannot pack them. */
    private boolean packProducts() {
        try {
            return model.packProducts();
        } catch (RuntimeException e) {
            log.warn("worker {} multiplies rows first: its weights could not be packed: {}", name, e.getMessage());
            return false;
        }
    }

    /** One thread and, where a worker may use more, all of them: the counts products are chosen for. */
    private static int[] productThreadCounts(int maxThreads) {
        return maxThreads > 1 ? new int[] {1, maxThreads} : new int[] {1};
    }

    /**
     * Times steps of the range's least and largest timed query tokens with each candidate product
     * method on {@code threads} threads, the methods taking turns round by round so that none is
     * timed on a colder JVM; the fastest by {@link #productMethod}.
     */
    private ProductMethod timeProductMethods(ProductRows range, int threads) {
        List<ProductMethod> methods = ProductMethod.candidates(range, threads);
        List<Timing> timings = new ArrayList<>();
        for (ProductMethod method : methods) {
            timings.add(Timing.small(() -> {
                model.productMethod(range, threads > 1, method);
                double ms = 0;
                for (int rows : range.timedRows()) {
                    ms += timeStep(new int[] {rows});
                }
                return ms;
            }));
        }
        double[] fastest = fastestInTurns(timings);
        ProductMethod chosen = productMethod(methods, fastest);
        String timed = Arrays.stream(range.timedRows()).mapToObj(Integer::toString).collect(Collectors.joining(" and "));
        String took = IntStream.range(0, methods.size())
                .mapToObj(i -> String.format(Locale.ROOT, "%.2f ms %s", fastest[i], methods.get(i)))
                .collect(Collectors.joining(", "));
        log.info("worker {} multiplies {} query rows on {} thread(s) {} (steps of {} took {})", name,
                range.describe(), threads, chosen, timed, took);
        return chosen;
    }

    /**
     * Each timing's fastest over its measured rounds, the timings taking turns round by round so that
     * none is taken on a colder JVM or in a quieter spell of the host than another. Large steps warm
     * up and measure fewer rounds; a first round whose other steps took longer than {@link
     * #CALIBRATION_SLOW_ROUND_MS} runs them all only as many rounds as a large step does.
     */
    private double[] fastestInTurns(List<Timing> timings) {
        double[] fastest = new double[timings.size()];
        Arrays.fill(fastest, Double.MAX_VALUE);
        int smallWarmup = warmupRounds();
        int smallRounds = CALIBRATION_ROUNDS;
        for (int round = 0; ; round++) {
            boolean timed = false;
            double smallMs = 0;
            for (int i = 0; i < timings.size(); i++) {
                Timing timing = timings.get(i);
                int warmup = timing.large() ? CALIBRATION_LARGE_WARMUP : smallWarmup;
                int rounds = timing.large() ? CALIBRATION_LARGE_ROUNDS : smallRounds;
                if (round >= warmup + rounds) {
                    continue;
                }
                timed = true;
                double ms = timing.step().getAsDouble();
                smallMs += timing.large() ? 0 : ms;
                if (round >= warmup) {
                    fastest[i] = Math.min(fastest[i], ms);
                }
            }
            if (!timed) {
                break;
            }
            if (round == 0 && smallMs > CALIBRATION_SLOW_ROUND_MS) {
                smallWarmup = Math.min(smallWarmup, CALIBRATION_LARGE_WARMUP);
                smallRounds = CALIBRATION_LARGE_ROUNDS;
            }
        }
        warmedUp = true;
        return fastest;
    }

    /** One calibration timing: a step's milliseconds each time it runs, and whether it is large. */
    private record Timing(DoubleSupplier step, boolean large) {

        static Timing small(DoubleSupplier step) {
            return new Timing(step, false);
        }
    }

    private int warmupRounds() {
        return warmedUp ? CALIBRATION_WARM_WARMUP : CALIBRATION_WARMUP;
    }

    /**
     * The fastest of {@code methods} (timed {@code ms}), but another than the first, PyTorch's own
     * order, only where it ran clearly faster than that ({@link StepThreads#CLEARLY_FASTER}): timings
     * of one shape differ by noise on a shared host.
     */
    static ProductMethod productMethod(List<ProductMethod> methods, double[] ms) {
        int chosen = 0;
        for (int i = 1; i < ms.length; i++) {
            if (ms[i] < StepThreads.CLEARLY_FASTER * ms[0] && ms[i] < ms[chosen]) {
                chosen = i;
            }
        }
        return methods.get(chosen);
    }

    private String describeStepCost() {
        return stepCost.curve().stream()
                .map(p -> p.tokens() + ": " + String.format(Locale.ROOT, "%.2f", p.millis()))
                .collect(Collectors.joining(", "))
                + String.format(Locale.ROOT, "; a query length of its own in a batch: %.2f ms"
                        + "; per query token and 1,000 context tokens: %.3f ms",
                        stepCost.groupMillis(), stepCost.contextMillis() * 1000);
    }

    Calibration calibration() {
        return calibration;
    }

    /** Idle polls this worker has spent timing a small step. */
    int idleCalibrations() {
        return idleCalibrations;
    }

    /** Times the next small point of the step-cost ladder once and keeps it if it ran faster. */
    private void calibrateWhileIdle() {
        if (idleCalibrations >= IDLE_CALIBRATIONS) {
            return;
        }
        int points = 0;
        while (points < StepCostModel.LADDER.length && StepCostModel.LADDER[points] <= CALIBRATION_LARGE_STEP
                && StepCostModel.LADDER[points] < model.config().maxPositionEmbeddings()) {
            points++;
        }
        if (points == 0) {
            return;
        }
        int tokens = StepCostModel.LADDER[idleCalibrations++ % points];
        try {
            threads.use(threads.threadsFor(tokens));
            stepCost.refine(tokens, timeStep(new int[] {tokens}));
            if (idleCalibrations == IDLE_CALIBRATIONS) {
                log.info("worker {} step cost refined while idle (query tokens: ms): {}", name, describeStepCost());
            }
        } catch (RuntimeException e) {
            idleCalibrations = IDLE_CALIBRATIONS;
            log.warn("worker {} stops refining its step cost while idle: {}", name, e.getMessage());
        }
    }

    /**
     * Each batch shape's fastest step over the measured rounds. The first rounds pay for lazy native
     * setup and JIT and are not counted; noise on a shared host only ever adds time.
     */
    private double[] fastest(List<int[]> shapes) {
        return fastestInTurns(shapes.stream()
                .map(shape -> new Timing(() -> timeStep(shape), Arrays.stream(shape).sum() > CALIBRATION_LARGE_STEP))
                .toList());
    }

    /** Times one step of {@code tokens} query tokens after {@code table}'s context; nothing is committed. */
    private double timeStepOver(BlockTable table, int tokens) {
        return timed(List.of(synthetic(table, tokens, tokens)));
    }

    /**
     * A synthetic plan of {@code tokens} query tokens in a step of {@code stepTokens}: a step of up to
     * {@link #CALIBRATION_LARGE_STEP} tokens reads every row's logits, as a batch of decoding
     * sequences and a step of guesses do; a larger one its last row's only, as a prompt's chunk does.
     * On a model with a large vocabulary the LM head's rows are a good part of a small step.
     */
    private static StepPlan synthetic(BlockTable table, int tokens, int stepTokens) {
        StepPlan plan = StepPlan.append(table, new int[tokens]);
        return stepTokens <= CALIBRATION_LARGE_STEP ? plan.withAllLogits() : plan;
    }

    /** Times one step of fresh sequences with these query lengths (no context, nothing committed). */
    private double timeStep(int[] lengths) {
        List<BlockTable> tables = new ArrayList<>();
        try {
            List<StepPlan> plans = new ArrayList<>();
            int stepTokens = Arrays.stream(lengths).sum();
            for (int length : lengths) {
                BlockTable table = cache.newSequence();
                tables.add(table);
                plans.add(synthetic(table, length, stepTokens));
            }
            return timed(plans);
        } finally {
            tables.forEach(cache::free);
        }
    }

    /** Milliseconds of one forward pass over {@code plans} and the argmax of its logits rows (all at once); nothing is committed. */
    private double timed(List<StepPlan> plans) {
        long start = System.nanoTime();
        threads.run(() -> {
            try (NDScope ignored = new NDScope()) {
                return model.forward(new StepBatch(plans), cache).argmax(0, 0);
            }
        });
        return (System.nanoTime() - start) / 1e6;
    }

    private void loop() {
        CpuThreads.stayOnOneThread();
        calibrate();
        stepTokens = settings.maxStepTokens() > 0 ? settings.maxStepTokens() : stepCost.chunkTokens();
        log.info("worker {} prefills prompts in chunks of up to {} query tokens per step ({})", name, stepTokens,
                settings.maxStepTokens() > 0 ? "braid.engine.max-step-tokens" : "from its step cost");
        while (!stopping) {
            try {
                if (running.isEmpty() && waiting.isEmpty()) {
                    DecodingTask next = incoming.poll(100, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.addLast(next);
                    } else {
                        calibrateWhileIdle();
                    }
                }
                incoming.drainTo(waiting);
                if (dropIdlePrefixesRequested) {
                    dropIdlePrefixesRequested = false;
                    cache.dropIdlePrefixes();
                }
                if (resetPeakRequested) {
                    resetPeakRequested = false;
                    cache.pool().resetPeak();
                }
                retireDone();
                admit();
                if (!running.isEmpty()) {
                    step();
                }
                stats = snapshot();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                log.error("worker {} step failed; failing its running tasks", name, e);
                cache.abandonUnwritten();
                for (DecodingTask task : running) {
                    fail(task, e);
                }
                running.clear();
            }
        }
        for (DecodingTask task : running) {
            fail(task, new IllegalStateException("worker " + name + " stopped"));
        }
        incoming.drainTo(waiting);
        for (DecodingTask task : waiting) {
            task.listener().onError(new IllegalStateException("worker " + name + " stopped"));
        }
    }

    private void admit() {
        // room for a step's growth of every running task, so admitting a prompt does not force a
        // preemption next step
        int spare = spareBlocksPerTask();
        int reserve = running.size() * spare;
        while (!waiting.isEmpty() && running.size() < settings.maxBatchTasks()) {
            DecodingTask task = waiting.peekFirst();
            int[] prompt = task.request().promptIds();
            int blocks = cache.blocksToAdmit(prompt, task.admissionBlocks(settings.blockSize()));
            if (blocks + reserve > cache.pool().freeBlocks() && !running.isEmpty()) {
                return;
            }
            if (waitsForSharedPrefix(prompt)) {
                return;
            }
            waiting.pollFirst();
            if (!task.started()) {
                task.start(new KvLease(cache), model.config().maxPositionEmbeddings());
            } else {
                task.resume();
            }
            running.add(task);
            reserve += spare;
        }
    }

    /**
     * Whether a prompt should wait while a running request still prefills a prefix it shares: once
     * that prefix is in the prefix cache, this one computes it no more. Requests that arrive together
     * behind one system prompt would otherwise all compute it. What is compared is each sequence
     * being prefilled, not the other request's prompt: SGD prefills other contexts than its prompt.
     */
    private boolean waitsForSharedPrefix(int[] prompt) {
        if (!cache.prefixCaching()) {
            return false;
        }
        int cached = -1;
        for (DecodingTask other : running) {
            for (Sequence prefilling : other.prefills()) {
                if (cached < 0) {
                    cached = cache.cachedPrefixTokens(prompt);
                }
                if (prefilling.commonPrefix(prompt) - cached >= SHARED_PREFIX_WORTH_A_STEP) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Blocks covering {@link #SPARE_POSITIONS_PER_TASK} positions. */
    private int spareBlocksPerTask() {
        return (SPARE_POSITIONS_PER_TASK + settings.blockSize() - 1) / settings.blockSize();
    }

    private void step() {
        profile.start();
        List<StepPlan> plans = new ArrayList<>();
        List<DecodingTask> stepping = new ArrayList<>();
        List<Integer> firstPlan = new ArrayList<>();
        List<Integer> taskQueryTokens = new ArrayList<>();
        List<Integer> taskDecodingTokens = new ArrayList<>();
        List<Prefill> overBudget = new ArrayList<>();
        int tokens = 0;
        // the rows the tasks read logits of: a prompt planned whole counts its last token only
        int decoding = 0;
        // each task is priced beside the tasks before it as they planned this step, the rest as they were
        StepPrice beside = besideLastStep();
        // whether a prompt is prefilled in this step: such a step also pays for admitting its request
        boolean prefilling = false;
        for (int i = 0; i < running.size(); i++) {
            DecodingTask task = running.get(i);
            task.observePrice(beside);
            List<Sequence> prefills = task.prefills();
            prefilling |= !prefills.isEmpty();
            if (pendingTokens(prefills) > stepTokens - tokens) {
                // prefilled by chunks below, from what the others leave of the budget
                overBudget.add(new Prefill(task, prefills));
                beside = task.plannedIn(beside, List.of());
                continue;
            }
            List<StepPlan> taskPlans = task.plan();
            if (!reserveAll(taskPlans)) {
                beside = task.plannedIn(beside, List.of());
                preempt(i);
                i--;
                continue;
            }
            beside = task.plannedIn(beside, taskPlans);
            firstPlan.add(plans.size());
            plans.addAll(taskPlans);
            stepping.add(task);
            int taskTokens = taskPlans.stream().mapToInt(StepPlan::queryCount).sum();
            int taskDecoding = taskPlans.stream().mapToInt(StepPlan::logitCount).sum();
            taskQueryTokens.add(taskTokens);
            taskDecodingTokens.add(taskDecoding);
            tokens += taskTokens;
            decoding += taskDecoding;
        }
        // decode plans go first; prefills get what is left, but never less than a quarter of the budget,
        // so that many requests guessing wide cannot starve a prompt
        Chunks chunks = chunk(overBudget, plans, Math.max(stepTokens - tokens, Math.max(1, stepTokens / 4)));
        if (plans.isEmpty()) {
            if (!overBudget.isEmpty()) {
                // prefills hold the pool and none can reserve its next chunk: free the newest one's blocks
                preempt(running.size() - 1);
            }
            return;
        }
        long start = System.nanoTime();
        StepBatch batch = new StepBatch(plans);
        int width = threads.threadsFor(batch.tokenCount());
        boolean parallel = width > 1;
        boolean trial = parallel && parallelTrial.trialNow();
        threads.use(trial ? 1 : width);
        profile.count(batch);
        profile.lap(Phase.PLAN);
        int accepted = threads.run(() -> {
            try (NDScope ignored = new NDScope()) {
                StepOutput output = model.forward(batch, cache, profile);
                int acceptedHere = 0;
                for (int t = 0; t < stepping.size(); t++) {
                    DecodingTask task = stepping.get(t);
                    try {
                        task.consume(output, firstPlan.get(t));
                        task.stepped(taskQueryTokens.get(t), taskDecodingTokens.get(t));
                        acceptedHere += task.acceptedLastStep();
                    } catch (RuntimeException e) {
                        running.remove(task);
                        fail(task, e);
                    }
                }
                chunks.commit(output);
                profile.lap(Phase.CONSUME);
                output.flush();
                profile.lap(Phase.KV_WRITE);
                return acceptedHere;
            }
        });
        profile.lap(Phase.RELEASE);
        double stepMs = (System.nanoTime() - start) / 1e6;
        if (!trial) {
            // the curve prices the step on the threads it runs on; a trial ran on another
            stepCost.observe(batch.tokenCount(), batch.groups().size(), stepMs, !prefilling);
        }
        if (parallel) {
            tryParallel(batch.tokenCount(), stepMs);
        }
        // the next step carries none of the prompts this one prefilled: priced beside them, guesses
        // on the step after a burst of prompts looked nearly free
        lastStepTokens = batch.tokenCount();
        price = new StepPrice(pricing, decoding, accepted, guessMemory, lastStepTokens);
        steps++;
        stats = snapshot(); // a listener told of its answer below reads counters that include this step
        retireDone();
        profile.lap(Phase.FINISH);
        profile.endStep();
    }

    /** The price of guesses beside what the running tasks decoded and accepted in the last step they took part in. */
    private StepPrice besideLastStep() {
        int decoding = 0;
        int accepted = 0;
        for (DecodingTask task : running) {
            decoding += task.decodingLastStep();
            accepted += task.acceptedLastStep();
        }
        return new StepPrice(pricing, decoding, accepted, guessMemory, lastStepTokens);
    }

    /** Prompt tokens of these sequences not yet in the cache. */
    private static int pendingTokens(List<Sequence> prefills) {
        return prefills.stream().mapToInt(Sequence::pendingCount).sum();
    }

    /** A task whose prompt is prefilled by chunks this step, and the sequences it named for it. */
    private record Prefill(DecodingTask task, List<Sequence> sequences) {
    }

    /** The prefill chunks of one step: which plans they are and how many tokens each commits. */
    private record Chunks(List<DecodingTask> tasks, List<Integer> taskTokens, List<Integer> plans,
                          List<Integer> counts) {

        void commit(StepOutput output) {
            for (int i = 0; i < plans.size(); i++) {
                output.commitPrefix(plans.get(i), counts.get(i));
            }
            for (int i = 0; i < tasks.size(); i++) {
                tasks.get(i).prefilled(taskTokens.get(i));
            }
        }
    }

    /**
     * Chunked prefill: feeds the pending tokens of the tasks' prompts, up to {@code budget} in all,
     * as plans of their own, always leaving the last token to the task's own plan (it reads the
     * logits). A task whose chunk the pool cannot take waits for the next step.
     */
    private Chunks chunk(List<Prefill> prefills, List<StepPlan> plans, int budget) {
        Chunks chunks = new Chunks(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Prefill prefill : prefills) {
            int fed = 0;
            for (Sequence sequence : prefill.sequences()) {
                int count = Math.min(budget, sequence.pendingCount() - 1);
                if (count <= 0 || !cache.reserve(sequence.table(), count)) {
                    break;
                }
                chunks.plans().add(plans.size());
                chunks.counts().add(count);
                plans.add(StepPlan.append(sequence.table(), Arrays.copyOf(sequence.pending(), count)));
                budget -= count;
                fed += count;
            }
            if (fed > 0) {
                chunks.tasks().add(prefill.task());
                chunks.taskTokens().add(fed);
            }
        }
        return chunks;
    }

    /** Reserves every plan's positions, or none: a half-reserved task is preempted whole anyway. */
    private boolean reserveAll(List<StepPlan> plans) {
        for (StepPlan plan : plans) {
            if (!cache.reserve(plan.table(), plan.queryCount())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Preempts the newest running task so the older ones can go on; task {@code i} cannot reserve.
     * A task that cannot run even alone is failed rather than requeued forever.
     */
    private void preempt(int i) {
        if (running.size() == 1) {
            DecodingTask alone = running.remove(0);
            fail(alone, new KvCapacityException("the request needs more KV blocks than worker " + name
                    + " has (" + settings.numBlocks() + " blocks of " + settings.blockSize() + " positions)"));
            return;
        }
        DecodingTask victim = running.remove(running.size() - 1);
        victim.preempt();
        waiting.addFirst(victim);
        preemptions++;
        log.debug("worker {} preempted a task to free KV blocks for task {}", name, i);
    }

    /**
     * Retires finished and cancelled tasks every iteration, not only after a forward pass: a task can
     * finish between steps (SGD's last point arriving from the draft model) or be cancelled while it
     * waits.
     */
    private void retireDone() {
        running.removeIf(task -> {
            if (task.finished() || task.cancelled()) {
                task.release();
                task.listener().onComplete(task.result());
                return true;
            }
            return false;
        });
        waiting.removeIf(task -> {
            if (task.cancelled()) {
                task.listener().onComplete(task.result());
                return true;
            }
            return false;
        });
    }

    private void fail(DecodingTask task, Throwable error) {
        try {
            task.release();
        } catch (RuntimeException releaseError) {
            error.addSuppressed(releaseError);
        }
        task.listener().onError(error);
    }

    private WorkerStats snapshot() {
        BlockPool pool = cache.pool();
        return new WorkerStats(name, model.dtype().key(), running.size(), waiting.size() + incoming.size(),
                pool.usedBlocks(), pool.capacity(), pool.peakUsedBlocks(), pool.cachedBlocks(),
                cache.prefixQueriedTokens(), cache.prefixHitTokens(), steps, preemptions, stepTokens, stepCost.curve(),
                Math.round(stepCost.contextMillis() * 1e6) / 1000.0, StepCostModel.round(stepCost.switchToPackedMillis()),
                StepCostModel.round(stepCost.switchFromPackedMillis()), products);
    }

    private List<WorkerStats.ProductChoice> productChoices(int maxThreads) {
        List<WorkerStats.ProductChoice> choices = new ArrayList<>();
        for (int threads : productThreadCounts(maxThreads)) {
            for (ProductRows rows : ProductRows.values()) {
                choices.add(new WorkerStats.ProductChoice(threads, rows.from(), rows.openEnded() ? null : rows.to(),
                        model.productMethod(rows, threads > 1)));
            }
        }
        return choices;
    }

    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.close();
    }
}
