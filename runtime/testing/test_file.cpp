#include "testing/test_file.h"

#include "core/eval.h"
#include "core/job.h"
#include "core/jsonl.h"
#include "core/toml_json.h"

namespace llmflow::testing {

namespace {

struct Reader {
  llvm::StringRef path;
  const ir::Module &module;
  std::string where; // "test 'NAME'"

  llvm::Error fail(const llvm::Twine &m) const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), (path + ": " + where + ": " + m).str());
  }

  llvm::Error known(const llvm::json::Object &o, std::initializer_list<llvm::StringRef> keys,
                    llvm::StringRef section) const {
    for (const auto &kv : o)
      if (std::find(keys.begin(), keys.end(), llvm::StringRef(kv.first)) == keys.end())
        return fail(section + "unknown key '" + kv.first.str() + "' (expected " +
                    llvm::join(keys.begin(), keys.end(), ", ") + ")");
    return llvm::Error::success();
  }

  const ir::Node &node(llvm::StringRef id) const {
    for (const ir::Node *n : taskNodes(module))
      if (n->id == id)
        return *n;
    llvm_unreachable("a resolved stage is a task node");
  }

  llvm::Error replies(const llvm::json::Object &table, bool failures, TestCase &tc) const {
    llvm::StringRef section = failures ? "failures" : "replies";
    for (const auto &kv : table) {
      auto ref = parseStageRef(kv.first, module, /*allowPath=*/false);
      if (!ref)
        return fail(section + "." + kv.first.str() + ": " + llvm::toString(ref.takeError()));
      Reply r;
      if (failures) {
        auto msg = kv.second.getAsString();
        if (!msg)
          return fail(section + "." + kv.first.str() + ": expected the failure's message (a string)");
        r.fails = true;
        r.error = msg->str();
      } else {
        const ir::Node &n = node(ref->nodeId);
        std::string why;
        bool plan = n.llm && n.llm->isPlanner; // a plan is checked against the planner's contract when it runs
        if (!plan && !rt::conforms(kv.second, n.resultType, module, &why))
          return fail(section + "." + kv.first.str() + ": not a " + n.resultType.str() + ": " + why);
        r.value = kv.second;
      }
      auto key = std::make_pair(ref->nodeId, ref->call);
      if (tc.replies.count(key))
        return fail(section + "." + kv.first.str() + ": '" + ref->nodeId + "'" +
                    (ref->call ? " call " + std::to_string(ref->call) : std::string()) + " is given twice");
      tc.replies[key] = std::move(r);
    }
    return llvm::Error::success();
  }

  llvm::Error expect(const llvm::json::Object &e, TestCase &tc) const {
    if (auto err = known(e, {"status", "error", "result", "stages", "calls"}, "expect: "))
      return err;
    if (const llvm::json::Value *s = e.get("status")) {
      auto v = s->getAsString();
      if (!v || (*v != "ok" && *v != "failed"))
        return fail("expect.status: expected \"ok\" or \"failed\"");
      tc.expectStatus = v->str();
    }
    if (const llvm::json::Value *s = e.get("error")) {
      if (!s->getAsString())
        return fail("expect.error: expected a part of the job's error message");
      tc.expectError = s->getAsString()->str();
      if (!tc.expectStatus)
        tc.expectStatus = "failed";
    }
    if (const llvm::json::Value *r = e.get("result"))
      tc.expectResult = *r;
    if (const llvm::json::Value *s = e.get("stages")) {
      if (!s->getAsObject())
        return fail("expect.stages: expected a table of STAGE[.PATH] = value");
      for (const auto &kv : *s->getAsObject()) {
        auto ref = parseStageRef(kv.first, module, /*allowPath=*/true);
        if (!ref)
          return fail("expect.stages." + kv.first.str() + ": " + llvm::toString(ref.takeError()));
        tc.expectStages.push_back({std::move(*ref), kv.second});
      }
    }
    if (const llvm::json::Value *c = e.get("calls")) {
      if (!c->getAsObject())
        return fail("expect.calls: expected a table of STAGE = count");
      for (const auto &kv : *c->getAsObject()) {
        auto ref = parseStageRef(kv.first, module, /*allowPath=*/false);
        if (!ref)
          return fail("expect.calls." + kv.first.str() + ": " + llvm::toString(ref.takeError()));
        auto n = kv.second.getAsInteger();
        if (!n || *n < 0 || ref->call)
          return fail("expect.calls." + kv.first.str() + ": expected STAGE = a count from 0");
        tc.expectCalls.push_back({ref->nodeId, unsigned(*n)});
      }
    }
    return llvm::Error::success();
  }
};

} // namespace

llvm::Expected<TestSuite> loadTests(llvm::StringRef path, const ir::Module &module, const ir::App &app,
                                    llvm::StringRef inputsPath) {
  auto doc = rt::readTOMLFile(path);
  if (!doc)
    return doc.takeError();
  Reader rd{path, module, "top level"};
  const llvm::json::Object &root = *doc->getAsObject();
  if (auto err = rd.known(root, {"test"}, ""))
    return std::move(err);
  const llvm::json::Array *tests = root.getArray("test");
  if (!tests || tests->empty())
    return rd.fail("no [[test]] cases");
  std::optional<std::vector<std::pair<unsigned, llvm::json::Value>>> lines;
  TestSuite suite;
  suite.path = path.str();
  for (const llvm::json::Value &tv : *tests) {
    const llvm::json::Object *t = tv.getAsObject();
    TestCase tc;
    rd.where = "test " + std::to_string(suite.cases.size() + 1);
    if (!t)
      return rd.fail("[[test]] entries must be tables");
    if (auto name = t->getString("name")) {
      tc.name = name->str();
      rd.where = "test '" + tc.name + "'";
    } else {
      return rd.fail("needs a name");
    }
    for (const TestCase &other : suite.cases)
      if (other.name == tc.name)
        return rd.fail("the name is used twice");
    if (auto err = rd.known(*t, {"name", "inputs", "inputs_line", "replies", "failures", "expect"}, ""))
      return std::move(err);
    if (const llvm::json::Object *in = t->getObject("inputs")) {
      tc.inputs = *in;
    } else if (auto line = t->getInteger("inputs_line")) {
      if (inputsPath.empty())
        return rd.fail("inputs_line: the program has no inputs.jsonl");
      if (!lines) {
        auto read = rt::readJSONLines(inputsPath);
        if (!read)
          return read.takeError();
        lines = std::move(*read);
      }
      if (*line < 1 || size_t(*line) > lines->size() || !(*lines)[*line - 1].second.getAsObject())
        return rd.fail("inputs_line: " + inputsPath + " has no job on line " + std::to_string(*line));
      tc.inputs = *(*lines)[*line - 1].second.getAsObject();
    } else if (t->get("inputs")) {
      return rd.fail("inputs: expected a table of the application's inputs");
    }
    if (llvm::Error e = rt::checkInputs(module, app, tc.inputs))
      return rd.fail("inputs: " + llvm::toString(std::move(e)));
    for (llvm::StringRef section : {"replies", "failures"})
      if (const llvm::json::Value *r = t->get(section)) {
        if (!r->getAsObject())
          return rd.fail(section + ": expected a table of STAGE = " + (section == "replies" ? "value" : "message"));
        if (auto err = rd.replies(*r->getAsObject(), section == "failures", tc))
          return std::move(err);
      }
    if (const llvm::json::Value *e = t->get("expect")) {
      if (!e->getAsObject())
        return rd.fail("expect: expected a table");
      if (auto err = rd.expect(*e->getAsObject(), tc))
        return std::move(err);
    }
    suite.cases.push_back(std::move(tc));
  }
  return suite;
}

} // namespace llmflow::testing
