// A minimal stand-in for libFuzzer's main(), for compilers without libFuzzer (g++).
//
//   fuzz_<target> [options] [corpus files or directories...]
//     -max_total_time=S   mutate for S seconds after the replay (default 0: replay only)
//     -runs=N             stop after N mutated inputs (default unlimited within the time)
//     -seed=N             seed of the mutation stream (default 1: runs are reproducible)
//     -max_len=N          longest mutated input (default: the longest corpus file, at least
//                         4096; corpus files are always run whole)
//     -artifact_prefix=P  where a crashing input is written (default "./")
//     -minimize=FILE      shrink a crashing FILE (each try in a child process) and print it
//
// Every corpus file is run once, then inputs made by mutating and splicing corpus entries are
// run until the time or run budget is spent. It is not coverage-guided: the corpus does not
// grow. When a sanitizer or a property check kills the process, the input being run is written
// to <artifact_prefix>crash-<fnv1a64> first.
#include <sanitizer/common_interface_defs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Input = std::vector<std::uint8_t>;

// The input being run and where to save it: read by the death callback and signal handler,
// which receive no argument.
struct CrashState {
    const Input* current = nullptr;
    std::string artifact_prefix = "./";
};
CrashState& crash_state() {
    static CrashState state;
    return state;
}

std::uint64_t fnv1a64(const Input& input) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::uint8_t b : input) h = (h ^ b) * 0x100000001b3ULL;
    return h;
}

void save_current_input() {
    const CrashState& state = crash_state();
    if (state.current == nullptr) return;
    char name[32];
    std::snprintf(name, sizeof name, "crash-%016llx",
                  static_cast<unsigned long long>(fnv1a64(*state.current)));
    const std::string path = state.artifact_prefix + name;
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(state.current->data(), 1, state.current->size(), f);
        std::fclose(f);
    }
    std::fprintf(stderr, "==driver== crashing input (%zu bytes) written to %s\n",
                 state.current->size(), path.c_str());
}

void on_fatal_signal(int signal_number) {
    save_current_input();
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

Input read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Input(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void run_one(const Input& input) {
    crash_state().current = &input;
    // A copy of exactly `size` bytes, so that ASan sees reads past the end.
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.size()]);
    if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
    LLVMFuzzerTestOneInput(copy.get(), input.size());
    crash_state().current = nullptr;
}

// One random edit of `input` (libFuzzer's basic mutations, minus the guided ones).
void mutate(Input& input, const std::vector<Input>& corpus, std::mt19937_64& rng,
            std::size_t max_len) {
    auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    static constexpr std::uint64_t INTERESTING[] = {0,    1,    0x7f, 0x80, 0xfc, 0xfd, 0xfe,
                                                    0xff, 0x4c, 0x4d, 0x4e, 0x100, 0xffff,
                                                    0x10000, 0x7fffffff, 0xffffffff};
    switch (rng() % 8) {
        case 0:  // flip a bit
            if (!input.empty()) input[pick(input.size())] ^= std::uint8_t(1u << (rng() % 8));
            break;
        case 1:  // set a byte
            if (!input.empty()) input[pick(input.size())] = std::uint8_t(rng());
            break;
        case 2: {  // insert random bytes
            const std::size_t n = 1 + pick(8);
            const std::size_t at = pick(input.size() + 1);
            for (std::size_t i = 0; i < n; ++i) input.insert(input.begin() + at, std::uint8_t(rng()));
            break;
        }
        case 3: {  // erase a range
            if (input.empty()) break;
            const std::size_t at = pick(input.size());
            const std::size_t n = 1 + pick(std::min<std::size_t>(16, input.size() - at));
            input.erase(input.begin() + at, input.begin() + at + n);
            break;
        }
        case 4: {  // write an interesting little-endian value
            if (input.empty()) break;
            std::uint64_t v = INTERESTING[pick(std::size(INTERESTING))];
            const std::size_t width = std::size_t(1) << pick(4);
            const std::size_t at = pick(input.size());
            for (std::size_t i = 0; i < width && at + i < input.size(); ++i, v >>= 8)
                input[at + i] = std::uint8_t(v);
            break;
        }
        case 5: {  // duplicate a chunk
            if (input.empty()) break;
            const std::size_t from = pick(input.size());
            const std::size_t n = 1 + pick(std::min<std::size_t>(64, input.size() - from));
            Input chunk(input.begin() + from, input.begin() + from + n);
            input.insert(input.begin() + pick(input.size() + 1), chunk.begin(), chunk.end());
            break;
        }
        case 6: {  // splice: head of this input, tail of another
            const Input& other = corpus[pick(corpus.size())];
            if (other.empty()) break;
            const std::size_t keep = pick(input.size() + 1);
            const std::size_t from = pick(other.size());
            input.resize(keep);
            input.insert(input.end(), other.begin() + from, other.end());
            break;
        }
        default:  // truncate
            input.resize(pick(input.size() + 1));
            break;
    }
    if (input.size() > max_len) input.resize(max_len);
}

bool crashes_in_child(const Input& input) {
    const pid_t pid = fork();
    if (pid == 0) {
        crash_state().artifact_prefix = "/dev/null/";  // a child writes nothing
        run_one(input);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int minimize(const std::string& path) {
    Input best = read_file(path);
    if (!crashes_in_child(best)) {
        std::fprintf(stderr, "==driver== %s does not crash\n", path.c_str());
        return 1;
    }
    for (std::size_t chunk = best.size() / 2; chunk >= 1; chunk /= 2) {
        for (std::size_t at = 0; at + chunk <= best.size();) {
            Input trial = best;
            trial.erase(trial.begin() + at, trial.begin() + at + chunk);
            if (crashes_in_child(trial)) best = std::move(trial);
            else at += chunk;
        }
    }
    std::ofstream(path + ".min", std::ios::binary)
        .write(reinterpret_cast<const char*>(best.data()), std::streamsize(best.size()));
    std::printf("minimized to %zu bytes (%s.min):\n", best.size(), path.c_str());
    for (std::uint8_t b : best) std::printf("%02x", b);
    std::printf("\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    double max_seconds = 0;
    std::uint64_t max_runs = UINT64_MAX, seed = 1;
    std::size_t max_len = 0;
    std::vector<Input> corpus;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string_view name) -> const char* {
            return arg.starts_with(name) ? argv[i] + name.size() : nullptr;
        };
        const char* v = nullptr;
        if ((v = value("-max_total_time="))) max_seconds = std::atof(v);
        else if ((v = value("-runs="))) max_runs = std::strtoull(v, nullptr, 10);
        else if ((v = value("-seed="))) seed = std::strtoull(v, nullptr, 10);
        else if ((v = value("-max_len="))) max_len = std::strtoull(v, nullptr, 10);
        else if ((v = value("-artifact_prefix="))) crash_state().artifact_prefix = v;
        else if ((v = value("-minimize="))) return minimize(v);
        else if (arg.starts_with("-")) std::fprintf(stderr, "==driver== ignoring %s\n", argv[i]);
        else if (std::filesystem::is_directory(arg)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
                if (entry.is_regular_file()) corpus.push_back(read_file(entry.path()));
        } else {
            corpus.push_back(read_file(arg));
        }
    }
    __sanitizer_set_death_callback(save_current_input);
    for (int s : {SIGILL, SIGABRT, SIGSEGV, SIGBUS, SIGFPE}) std::signal(s, on_fatal_signal);

    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (const Input& input : corpus) run_one(input);
    std::fprintf(stderr, "==driver== replayed %zu corpus inputs in %.1f s\n", corpus.size(),
                 elapsed());
    if (corpus.empty()) corpus.emplace_back();
    if (max_len == 0) {
        max_len = 4096;
        for (const Input& input : corpus) max_len = std::max(max_len, input.size());
    }

    std::mt19937_64 rng(seed);
    std::uint64_t runs = 0;
    while (runs < max_runs && elapsed() < max_seconds) {
        Input input = corpus[rng() % corpus.size()];
        const unsigned edits = 1 + unsigned(rng() % 6);
        for (unsigned e = 0; e < edits; ++e) mutate(input, corpus, rng, max_len);
        run_one(input);
        ++runs;
    }
    std::fprintf(stderr, "==driver== %llu mutated inputs in %.1f s (seed %llu)\n",
                 static_cast<unsigned long long>(runs), elapsed(),
                 static_cast<unsigned long long>(seed));
    return 0;
}
