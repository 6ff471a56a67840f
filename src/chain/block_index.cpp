#include "chain/block_index.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <functional>
#include <utility>

namespace bitloom {
namespace {

// Clears the lowest set bit.
int invert_lowest_one(int n) { return n & (n - 1); }

// The height a block's skip pointer targets. Any height works as long as it is below the
// block's; this choice (Core's) makes ancestor lookups take O(log n) steps.
int skip_height(int height) {
    if (height < 2) return 0;
    // Odd heights jump a little less far than even ones, so that walks mixing both reach any
    // target in few steps.
    return (height & 1) != 0 ? invert_lowest_one(invert_lowest_one(height - 1)) + 1
                             : invert_lowest_one(height);
}

}  // namespace

BlockHeader BlockIndex::header() const {
    BlockHeader result;
    result.version = version;
    if (prev != nullptr) result.prev_block = prev->hash;
    result.merkle_root = merkle_root;
    result.time = time;
    result.bits = bits;
    result.nonce = nonce;
    return result;
}

const BlockIndex* BlockIndex::ancestor(int target_height) const {
    if (target_height > height || target_height < 0) return nullptr;
    const BlockIndex* walk = this;
    int walk_height = height;
    while (walk_height > target_height) {
        const int jump = skip_height(walk_height);
        const int jump_prev = skip_height(walk_height - 1);
        // Take the skip unless it overshoots, or the parent's skip would land closer without
        // overshooting.
        if (walk->skip != nullptr &&
            (jump == target_height ||
             (jump > target_height && !(jump_prev < jump - 2 && jump_prev >= target_height)))) {
            walk = walk->skip;
            walk_height = jump;
        } else {
            assert(walk->prev != nullptr);
            walk = walk->prev;
            --walk_height;
        }
    }
    return walk;
}

BlockIndex* BlockIndex::ancestor(int target_height) {
    return const_cast<BlockIndex*>(std::as_const(*this).ancestor(target_height));
}

void BlockIndex::build_skip() {
    if (prev != nullptr) skip = prev->ancestor(skip_height(height));
}

std::int64_t BlockIndex::median_time_past() const {
    std::array<std::int64_t, MEDIAN_TIME_SPAN> times{};
    std::size_t count = 0;
    for (const BlockIndex* walk = this; walk != nullptr && count < times.size();
         walk = walk->prev) {
        times[count++] = walk->time;
    }
    std::sort(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(count));
    return times[count / 2];
}

bool BlockIndex::is_valid(std::uint32_t level) const {
    assert((level & ~block_status::VALID_MASK) == 0);
    if (failed()) return false;
    return (status & block_status::VALID_MASK) >= level;
}

bool BlockIndex::raise_validity(std::uint32_t level) {
    assert((level & ~block_status::VALID_MASK) == 0);
    if (failed()) return false;
    if ((status & block_status::VALID_MASK) >= level) return false;
    status = (status & ~block_status::VALID_MASK) | level;
    return true;
}

const BlockIndex* last_common_ancestor(const BlockIndex* a, const BlockIndex* b) {
    if (a->height > b->height) {
        a = a->ancestor(b->height);
    } else if (b->height > a->height) {
        b = b->ancestor(a->height);
    }
    while (a != b && a != nullptr && b != nullptr) {
        a = a->prev;
        b = b->prev;
    }
    assert(a == b);
    return a;
}

BlockIndex* ActiveChain::at(int h) const {
    if (h < 0 || h > height()) return nullptr;
    return blocks_[static_cast<std::size_t>(h)];
}

bool ActiveChain::contains(const BlockIndex* index) const {
    return index != nullptr && at(index->height) == index;
}

BlockIndex* ActiveChain::next(const BlockIndex* index) const {
    return contains(index) ? at(index->height + 1) : nullptr;
}

const BlockIndex* ActiveChain::find_fork(const BlockIndex* index) const {
    if (index == nullptr) return nullptr;
    if (index->height > height()) index = index->ancestor(height());
    while (index != nullptr && !contains(index)) index = index->prev;
    return index;
}

void ActiveChain::set_tip(BlockIndex* tip) {
    if (tip == nullptr) {
        blocks_.clear();
        return;
    }
    blocks_.resize(static_cast<std::size_t>(tip->height) + 1);
    // Walk back only until the old chain agrees.
    for (BlockIndex* walk = tip;
         walk != nullptr && blocks_[static_cast<std::size_t>(walk->height)] != walk;
         walk = walk->prev) {
        blocks_[static_cast<std::size_t>(walk->height)] = walk;
    }
}

std::vector<Uint256> ActiveChain::locator(const BlockIndex* index) const {
    if (index == nullptr) index = tip();
    std::vector<Uint256> hashes;
    if (index == nullptr) return hashes;
    hashes.reserve(32);
    int step = 1;
    while (index != nullptr) {
        hashes.push_back(index->hash);
        if (index->height == 0) break;
        index = index->ancestor(std::max(index->height - step, 0));
        if (hashes.size() > 10) step *= 2;
    }
    return hashes;
}

bool BlockIndexWorkLess::operator()(const BlockIndex* a, const BlockIndex* b) const {
    if (a->chain_work != b->chain_work) return a->chain_work < b->chain_work;
    if (a->sequence_id != b->sequence_id) return a->sequence_id > b->sequence_id;
    return std::less<const BlockIndex*>{}(b, a);
}

}  // namespace bitloom
