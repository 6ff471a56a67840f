// Script::get_op iteration, witness_program and the classifiers on arbitrary script bytes.
#include "fuzz/fuzz_check.h"
#include "primitives/script.h"
#include "primitives/script_asm.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Script script(ByteSpan(data, size));
    check(script.size() == size && std::equal(script.begin(), script.end(), data));

    std::size_t pos = 0;
    bool parsed_all = true;
    bool push_only = true;
    while (pos < script.size()) {
        const std::size_t before = pos;
        auto op = script.get_op(pos);
        if (!op) {
            check(pos == before);
            parsed_all = false;
            break;
        }
        check(pos > before && pos <= script.size());
        check(op->opcode == script[before]);
        // The pushed bytes lie inside the script and end where the operation ends.
        if (!op->data.empty()) {
            check(op->data.data() >= script.begin() && op->data.data() + op->data.size() == script.begin() + pos);
        }
        if (op->opcode > OP_16) push_only = false;
    }
    std::size_t end = script.size();
    check(!script.get_op(end).has_value() && end == script.size());
    check(script.is_push_only() == (parsed_all && push_only));

    if (auto program = script.witness_program()) {
        check(program->version >= 0 && program->version <= 16);
        check(program->program.size() >= 2 && program->program.size() <= 40);
        check(script.size() == program->program.size() + 2);
        check(program->program.data() == script.begin() + 2);
    }
    check(!(script.is_p2wpkh() || script.is_p2wsh() || script.is_p2tr()) ||
          script.is_witness_program());
    (void)script.has_valid_ops();
    (void)script.sigop_count(true);
    (void)script.sigop_count(false);
    (void)script.p2sh_sigop_count(script);
    (void)script_to_asm(script);
    return 0;
}
