package dev.braid.kv;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Full KV blocks indexed by the tokens before and in them: a radix tree whose edges are one block's
 * token ids, so a node stands for the whole prefix from the root, which is what its K/V depends on.
 * The tree holds a reference on each block it indexes; a block no sequence holds any more stays
 * until the pool needs it, then the least recently used leaf goes first.
 *
 * <p>Invariant: a sequence holding an indexed block holds its ancestors' blocks too (it either
 * matched them, computed them itself, or forked from a sequence that did). So an idle node's whole
 * subtree is idle, and reclaiming leaves one at a time can free every idle block.
 */
final class PrefixCache implements BlockPool.Reclaimer {

    /** One indexed block; {@code key} is the block's token ids. */
    static final class Node {
        private final Node parent;
        private final Key key;
        private final int block;
        private final Map<Key, Node> children = new HashMap<>(2);
        private long lastUsed;

        private Node(Node parent, Key key, int block) {
            this.parent = parent;
            this.key = key;
            this.block = block;
        }

        int block() {
            return block;
        }
    }

    /** A block's token ids, compared by value. */
    private record Key(int[] tokens) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(tokens, key.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }

    private final BlockPool pool;
    private final int blockSize;
    private final Node root = new Node(null, null, -1);
    private final Node[] byBlock;
    private final TreeSet<Node> idleLeaves = new TreeSet<>(
            Comparator.<Node>comparingLong(n -> n.lastUsed).thenComparingInt(n -> n.block));
    private long clock;
    private long queriedTokens;
    private long hitTokens;

    PrefixCache(BlockPool pool, int blockSize) {
        this.pool = pool;
        this.blockSize = blockSize;
        this.byBlock = new Node[pool.capacity()];
        pool.reclaimWith(this);
    }

    Node root() {
        return root;
    }

    /**
     * The nodes of the longest cached prefix of {@code tokens} that leaves at least one token to
     * compute (its logits start the answer), in order from the root. Counted as a query; a node's
     * recency is the moment it last went idle, so matching needs no bookkeeping of its own.
     */
    Node[] longestPrefix(int[] tokens) {
        Node[] path = walk(tokens);
        queriedTokens += tokens.length;
        hitTokens += (long) path.length * blockSize;
        return path;
    }

    /** Like {@link #longestPrefix} but touches nothing and counts nothing: for admission. */
    Node[] peek(int[] tokens) {
        return walk(tokens);
    }

    private Node[] walk(int[] tokens) {
        int maxBlocks = Math.max(0, (tokens.length - 1) / blockSize);
        Node[] path = new Node[maxBlocks];
        Node node = root;
        int depth = 0;
        while (depth < maxBlocks) {
            Node child = node.children.get(keyAt(tokens, depth * blockSize));
            if (child == null) {
                break;
            }
            path[depth++] = child;
            node = child;
        }
        return Arrays.copyOf(path, depth);
    }

    /**
     * Indexes {@code block}, holding {@code tokens[from, from + blockSize)}, under {@code parent}.
     * Returns its node, or the node already there when another sequence computed the same prefix
     * first: the caller then swaps its block for that one ({@link #adopt}).
     */
    Node insert(Node parent, int[] tokens, int from, int block) {
        Key key = keyAt(tokens, from);
        Node existing = parent.children.get(key);
        if (existing != null) {
            return existing;
        }
        // the inserting sequence holds the parent, so the parent is never an idle leaf here
        Node node = new Node(parent, key, block);
        parent.children.put(key, node);
        byBlock[block] = node;
        pool.cache(block);
        return node;
    }

    /** A sequence gives up its copy of {@code node}'s K/V for the cached block. */
    void adopt(Node node, int ownBlock) {
        pool.retain(node.block);
        pool.release(ownBlock);
    }

    private Key keyAt(int[] tokens, int from) {
        return new Key(Arrays.copyOfRange(tokens, from, from + blockSize));
    }

    @Override
    public void idle(int block) {
        Node node = byBlock[block];
        node.lastUsed = ++clock;
        if (node.children.isEmpty()) {
            idleLeaves.add(node);
        }
    }

    @Override
    public void inUse(int block) {
        idleLeaves.remove(byBlock[block]);
    }

    @Override
    public void reclaimOne() {
        Node leaf = idleLeaves.pollFirst();
        if (leaf == null) {
            throw new IllegalStateException("the prefix cache counts idle blocks but has no idle leaf");
        }
        leaf.parent.children.remove(leaf.key);
        byBlock[leaf.block] = null;
        pool.uncache(leaf.block);
        Node parent = leaf.parent;
        if (parent != root && parent.children.isEmpty() && pool.refCount(parent.block) == 1) {
            idleLeaves.add(parent);
        }
    }

    /** Prompt and context tokens looked up, summed. */
    long queriedTokens() {
        return queriedTokens;
    }

    /** Tokens found cached, summed. */
    long hitTokens() {
        return hitTokens;
    }
}
