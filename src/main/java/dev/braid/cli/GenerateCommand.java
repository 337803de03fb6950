package dev.braid.cli;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTrace;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingDefaults;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.model.ChatTemplate;
import dev.braid.decoding.apar.AparStrategy;
import dev.braid.decoding.apar.SerialAparStrategy;
import dev.braid.decoding.sgd.SgdStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.registry.BundledSeeds;
import dev.braid.registry.Capability;
import dev.braid.worker.WorkerPool;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import tools.jackson.databind.json.JsonMapper;

/** {@code generate}: one prompt through the engine, printed as text or as one JSON object. */
final class GenerateCommand {

    static final Usage USAGE = new Usage("generate", """
            One prompt through the engine, printed as text or, with --json, as one JSON object (strategy,
            text, token ids, tokens, steps, peak KV blocks, elapsed ms, finish reason, trace).
            Sampling options left out come from the model's generation_config.json, then greedy.""",
            List.of(EngineOptions.MODEL,
                    Option.valued("prompt", "TEXT", "the prompt, wrapped in the model's chat template when it has "
                            + "one (give this or --prompt-ids)"),
                    Option.valued("prompt-ids", "1,2,3", "the prompt as token ids, sent as they are"),
                    Option.valued("strategy", EngineOptions.strategies("|"), "the decoding strategy").defaults("ar"),
                    Option.valued("max-new-tokens", "N", "the most tokens to generate").defaults(64),
                    Option.valued("temperature", "T", "0 is greedy (default: the model's, else 0)"),
                    Option.valued("top-k", "K", "sample among the K likeliest tokens, 0 = off (default: the model's, else 0)"),
                    Option.valued("top-p", "P", "sample within probability mass P (default: the model's, else 1)"),
                    Option.valued("seed", "S", "makes sampling reproducible"),
                    Option.valued("stop", "TEXT", "stop before this text"),
                    Option.flag("raw", "send --prompt without the chat template"),
                    Option.valued("capabilities", "apar,cllm", "what the model was tuned for, as the registry "
                            + "records it (default: a bundled model's own, else none); on an apar model, ar, "
                            + "jacobi and lookahead run as apar-serial and write every branch"),
                    Option.flag("json", "print one JSON object instead of the text")))
            .with(EngineOptions.OPTIONS).with(StrategyOptions.OPTIONS);

    private GenerateCommand() {
    }

    private static List<String> capabilities(Options options) {
        if (!options.has("capabilities")) {
            return BundledSeeds.capabilities(options.required("model"));
        }
        List<String> given = List.of(options.required("capabilities").split(","));
        for (String id : given) {
            if (Capability.parse(id.trim()).isEmpty()) {
                throw new UsageException("--capabilities holds '" + id + "'; known: "
                        + String.join(", ", java.util.Arrays.stream(Capability.values()).map(Capability::id).toList()));
            }
        }
        return given.stream().map(String::trim).toList();
    }

    /** As the service runs it: on a model tuned to fork, a strategy that writes no branches runs as apar-serial. */
    private static DecodingStrategy branchesWritten(DecodingStrategy requested, List<String> capabilities,
                                                   LoadedModel model) {
        boolean writesBranches = requested.name().equals(AparStrategy.NAME) || requested.name().equals(SgdStrategy.NAME);
        if (writesBranches || !capabilities.contains(Capability.APAR.id())
                || !SerialAparStrategy.forks(model.tokenizer())) {
            return requested;
        }
        return new SerialAparStrategy();
    }

    static int run(String[] args, PrintStream out) throws InterruptedException {
        Options options = Options.parse(args, 1, USAGE);
        if (options.has("prompt") == options.has("prompt-ids")) {
            throw new UsageException("give exactly one of --prompt and --prompt-ids");
        }
        DecodingStrategy requested = EngineOptions.strategy(options.string("strategy"));
        int maxNewTokens = options.integer("max-new-tokens", 1, 1 << 20);
        Double temperature = options.optionalDecimal("temperature", 0, 100);
        Integer topK = options.optionalInteger("top-k", 0, Integer.MAX_VALUE);
        Double topP = options.optionalDecimal("top-p", Double.MIN_VALUE, 1);
        Long seed = options.optionalLong("seed");
        StrategyParams strategyParams = StrategyOptions.params(options);
        try (LoadedModel model = EngineOptions.loadModel(options);
             WorkerPool pool = WorkerPool.of(List.of(model.transformer()), EngineOptions.workerSettings(options, 1))) {
            DecodingStrategy strategy = branchesWritten(requested, capabilities(options), model);
            // as the API fills a request: the model's generation_config.json, then (here) greedy
            SamplingParams sampling = SamplingDefaults.GREEDY.under(model.generation()).apply(temperature, topK, topP, seed);
            int[] prompt = options.has("prompt-ids")
                    ? options.integers("prompt-ids", 0)
                    : model.tokenizer().encode(asUserTurn(model, options.required("prompt"), options.has("raw")));
            for (int id : prompt) {
                if (id >= model.config().vocabSize()) {
                    throw new UsageException("--prompt-ids holds " + id + ", outside the vocabulary of "
                            + model.config().vocabSize());
                }
            }
            List<String> stops = options.has("stop") ? List.of(options.required("stop")) : List.of();
            StopCriteria stop = new StopCriteria(new HashSet<>(model.generation().eosTokenIds()), stops, maxNewTokens);
            ResultFuture future = new ResultFuture();
            pool.submit(strategy.newTask(new GenerationRequest(prompt, sampling, stop, 1, strategyParams), model.tokenizer(), future));
            GenerationResult result = future.get();
            String text = result.first().text(model.tokenizer());
            if (options.has("json")) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("strategy", result.strategy());
                json.put("text", text);
                json.put("token_ids", result.first().tokenIds());
                json.put("prompt_tokens", result.promptTokens());
                json.put("completion_tokens", result.completionTokens());
                json.put("steps", result.steps());
                json.put("peak_kv_blocks", result.peakKvBlocks());
                json.put("elapsed_ms", result.elapsedNanos() / 1_000_000.0);
                json.put("finish_reason", result.first().finishReason().openAiName());
                DecodingTrace trace = DecodingTrace.of(result.trace(), model.tokenizer());
                if (trace != null) {
                    json.put("trace", trace); // as the API's braid.trace: APAR's branches, SGD's points, lookahead's steps
                }
                out.println(JsonMapper.shared().writeValueAsString(json));
            } else {
                out.println(text);
            }
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * An instruction model's own chat template wraps the prompt as the user's message, as the chat
     * API would; {@code --raw} (or a model without a template) sends the text as it is.
     */
    static String asUserTurn(LoadedModel model, String text, boolean raw) {
        ChatTemplate template = ChatTemplate.of(model.tokenizerConfig());
        if (raw || template.isDefault()) {
            return text;
        }
        return template.render(List.of(new ChatTemplate.Message("user", text)));
    }
}
