#include "core/job.h"

#include "core/plan.h"

namespace llmflow::rt {

struct Job::Inst {
  enum class S { Waiting, Ready, Running, Done, Failed };
  S s = S::Waiting;
  unsigned pendingDeps = 0;
  std::vector<size_t> users;
  Value value = nullptr;
  TaskId task = 0;
  // Dynamic bookkeeping.
  unsigned arm = 0;
  unsigned iteration = 0;
  Value loopState = nullptr;
  llvm::json::Array items;
  std::vector<Value> results;
  size_t nextItem = 0;
  unsigned active = 0, finished = 0;
  unsigned repairs = 0;
  std::string repairNote;
};

struct Job::Frame {
  const ir::Graph *graph = nullptr;
  Frame *parent = nullptr;
  size_t number = 0;                // index in Job::frames
  size_t ownerIndex = 0;            // index of the owning Dynamic node in parent
  std::string path;                 // appended to node ids to name instances
  std::vector<Inst> insts;
  llvm::StringMap<size_t> index;
  const llvm::json::Object *inputs = nullptr;
  llvm::json::Object ownInputs;     // call frames
  std::unique_ptr<ir::Graph> ownedGraph;               // plan frames
  std::vector<std::shared_ptr<ir::DynamicPayload>> ownedPayloads;
  bool isPlan = false;
  std::string loopId;               // loop iteration frames
  Value loopState = nullptr;
  std::string mapId;                // map item frames
  Value mapItem = nullptr;
  size_t mapIndex = 0;
  unsigned maxRunning = 0;          // plan frames: max parallel steps (0 = no cap)
  unsigned runningHere = 0;
  size_t remaining = 0;
};

Job::Job(JobId id, const ir::Module &module, const ir::App &app, llvm::json::Object inputs,
         StructureOracle *oracle)
    : jobId(id), module(module), appPtr(&app), inputs(std::move(inputs)), oracle(oracle) {}

Job::~Job() = default;

const Task &Job::task(TaskId t) const {
  assert(t >= 1 && t <= tasks.size());
  return tasks[t - 1];
}

Job::FrameInfo Job::frameInfo(size_t f) const {
  const Frame &fr = *frames[f];
  return {fr.graph, fr.parent ? fr.parent->number : kNoFrame, fr.ownerIndex, fr.isPlan};
}

Job::NodeInfo Job::nodeInfo(size_t f, size_t i) const {
  const Frame &fr = *frames[f];
  if (i >= fr.insts.size()) // a frame the job failed while opening
    return {};
  const Inst &inst = fr.insts[i];
  static_assert(int(Inst::S::Waiting) == int(NodeState::Waiting) && int(Inst::S::Failed) == int(NodeState::Failed));
  NodeInfo out;
  out.state = NodeState(int(inst.s));
  out.users = inst.users;
  if (inst.nextItem < inst.items.size())
    out.heldBack = unsigned(inst.items.size() - inst.nextItem);
  return out;
}

std::pair<size_t, size_t> Job::placeOf(TaskId t) const {
  auto [f, i] = nodeOf(t);
  return {f->number, i};
}

std::string Job::instanceOf(const Frame *f, size_t i) const {
  return f->graph->nodes[i].id + f->path;
}

void Job::emit(JobEvent::Kind k, const Frame *f, size_t i, std::string structure, int64_t size,
               std::string detail) {
  JobEvent e{k, {}, {}, std::move(structure), size, std::move(detail), {}};
  if (f) {
    const std::string &id = f->graph->nodes[i].id;
    // Plan steps are instances of their template node: "x.steps/tool#3".
    e.nodeId = f->isPlan ? id.substr(0, id.rfind('#')) : id;
    e.instance = instanceOf(f, i);
  }
  events.push_back(std::move(e));
}

void Job::fail(const std::string &why) {
  if (state != State::Running)
    return;
  state = State::Failed;
  errorText = why;
  readyList.clear();
  pending.clear();
  emit(JobEvent::Kind::JobFailed, nullptr, 0, "", 0, why);
}

Job::Frame *Job::newFrame(const ir::Graph *g, Frame *parent, Inst *, std::string path) {
  frames.push_back(std::make_unique<Frame>());
  Frame *f = frames.back().get();
  f->number = frames.size() - 1;
  f->graph = g;
  f->parent = parent;
  f->path = std::move(path);
  return f;
}

llvm::Error checkInputs(const ir::Module &m, const ir::App &app, llvm::json::Object &inputs) {
  auto bad = [](const std::string &msg) { return llvm::createStringError(llvm::inconvertibleErrorCode(), msg); };
  // Unknown names first: a misspelt input also shows up as a missing one.
  for (const auto &kv : inputs)
    if (std::none_of(app.inputs.begin(), app.inputs.end(), [&](const ir::Param &p) { return p.name == kv.first.str(); })) {
      std::string known;
      for (const ir::Param &p : app.inputs)
        known += (known.empty() ? "" : ", ") + p.name + ": " + p.type.str();
      return bad("unknown input '" + kv.first.str() + "' for application '" + app.name + "' (its inputs: " +
                 (known.empty() ? "none" : known) + ")");
    }
  for (const ir::Param &p : app.inputs) {
    if (!inputs.get(p.name)) {
      if (p.defaultValue)
        inputs[p.name] = *p.defaultValue;
      else if (p.type.kind == ir::Type::Kind::Optional)
        inputs[p.name] = nullptr;
      else
        return bad("missing input '" + p.name + "' of type " + p.type.str());
    }
    std::string why;
    if (!conforms(*inputs.get(p.name), p.type, m, &why))
      return bad("input '" + p.name + "' must be " + p.type.str() + ": " + why);
  }
  return llvm::Error::success();
}

void Job::start() {
  Frame *root = newFrame(&appPtr->graph, nullptr, nullptr, "");
  if (llvm::Error e = checkInputs(module, *appPtr, inputs))
    return fail(llvm::toString(std::move(e)));
  root->inputs = &inputs;
  openFrame(root);
  refreshReady();
  ++changes;
}

void Job::openFrame(Frame *f) {
  const ir::Graph &g = *f->graph;
  f->insts.resize(g.nodes.size());
  f->remaining = g.nodes.size();
  for (size_t i = 0; i < g.nodes.size(); ++i)
    f->index[g.nodes[i].id] = i;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string &d : g.nodes[i].deps) {
      auto it = f->index.find(d);
      assert(it != f->index.end() && "verified IR: deps are in the same graph");
      f->insts[i].pendingDeps++;
      f->insts[it->second].users.push_back(i);
    }
  if (g.nodes.empty()) {
    frameDone(f);
    return;
  }
  for (size_t i = 0; i < g.nodes.size() && state == State::Running; ++i)
    if (f->insts[i].pendingDeps == 0 && f->insts[i].s == Inst::S::Waiting)
      nodeReady(f, i);
}

const Value *Job::lookup(const Frame *f, ir::RefRoot root, llvm::StringRef name, const Value *loopOverride,
                         const std::string *loopId) const {
  switch (root) {
  case ir::RefRoot::Input:
    for (; f; f = f->parent)
      if (f->inputs)
        return f->inputs->get(name);
    return nullptr;
  case ir::RefRoot::Node:
    for (; f; f = f->parent) {
      auto it = f->index.find(name);
      if (it != f->index.end())
        return f->insts[it->second].s == Inst::S::Done ? &f->insts[it->second].value : nullptr;
      if (f->inputs) // a call frame: the callee sees nothing of the caller
        return nullptr;
    }
    return nullptr;
  case ir::RefRoot::LoopState:
    if (loopOverride && loopId && *loopId == name)
      return loopOverride;
    for (; f; f = f->parent)
      if (f->loopId == name)
        return &f->loopState;
    return nullptr;
  case ir::RefRoot::MapItem:
    for (; f; f = f->parent)
      if (f->mapId == name)
        return &f->mapItem;
    return nullptr;
  }
  return nullptr;
}

EvalScope Job::scopeFor(const Frame *f, const Value *loopOverride, const std::string *loopId) const {
  return EvalScope{[=](ir::RefRoot root, llvm::StringRef name) { return lookup(f, root, name, loopOverride, loopId); }};
}

bool Job::buildTask(Frame *f, size_t i, Task &t) {
  const ir::Node &n = f->graph->nodes[i];
  t.job = jobId;
  t.node = &n;
  t.nodeId = f->isPlan ? n.id.substr(0, n.id.rfind('#')) : n.id;
  t.instance = instanceOf(f, i);
  t.executor = n.executor;
  if (f->isPlan || !f->mapId.empty())
    t.group = reinterpret_cast<uint64_t>(f->parent ? &f->parent->insts[f->ownerIndex] : nullptr);
  EvalScope scope = scopeFor(f);
  if (n.llm) {
    for (auto [tmpl, out] : {std::pair{&n.llm->system, &t.system}, std::pair{&n.llm->prompt, &t.prompt}}) {
      auto text = renderTemplate(*tmpl, scope);
      if (!text) {
        fail("stage '" + n.id + "': cannot render its prompt: " + llvm::toString(text.takeError()));
        return false;
      }
      *out = std::move(*text);
    }
    t.repairNote = f->insts[i].repairNote;
    return true;
  }
  if (n.tool) {
    t.tool = module.findTool(n.tool->tool);
    if (!t.tool) {
      fail("stage '" + n.id + "': unknown tool '" + n.tool->tool + "'");
      return false;
    }
    for (const auto &[name, e] : n.tool->args) {
      auto v = evaluate(e, scope);
      if (!v) {
        fail("stage '" + n.id + "': argument '" + name + "': " + llvm::toString(v.takeError()));
        return false;
      }
      t.args[name] = std::move(*v);
    }
    for (const ir::Param &p : t.tool->params) {
      if (!t.args.get(p.name) && p.defaultValue)
        t.args[p.name] = *p.defaultValue;
      const Value *a = t.args.get(p.name);
      std::string why;
      if (a && !conforms(*a, p.type, module, &why)) {
        fail("stage '" + n.id + "': argument '" + p.name + "' of tool '" + t.tool->name + "': " + why);
        return false;
      }
    }
    return true;
  }
  llvm_unreachable("a task is an LLM or a Regular node");
}

void Job::nodeReady(Frame *f, size_t i) {
  if (state != State::Running)
    return;
  const ir::Node &n = f->graph->nodes[i];
  Inst &inst = f->insts[i];
  if (n.kind == ir::NodeKind::Dynamic) {
    inst.s = Inst::S::Running;
    resolveDynamic(f, i);
    return;
  }
  tasks.emplace_back();
  Task &t = tasks.back();
  t.id = tasks.size();
  if (!buildTask(f, i, t))
    return;
  inst.s = Inst::S::Ready;
  inst.task = t.id;
  taskNode.resize(tasks.size());
  taskNode[t.id - 1] = {f, i};
  pending.push_back(t.id);
  emit(JobEvent::Kind::TaskReady, f, i);
}

void Job::refreshReady() {
  readyList.clear();
  if (state != State::Running)
    return;
  // A capped frame (plan steps, max_parallel) offers at most as many tasks
  // as it has room for, so a scheduler cannot overshoot the cap.
  llvm::DenseMap<Frame *, unsigned> budget;
  for (TaskId t : pending) {
    Frame *f = nodeOf(t).first;
    bool held = false;
    for (Frame *x = f; x && !held; x = x->parent)
      if (x->maxRunning) {
        auto [it, fresh] = budget.try_emplace(x, x->maxRunning > x->runningHere ? x->maxRunning - x->runningHere : 0);
        held = it->second == 0;
      }
    if (held)
      continue;
    for (Frame *x = f; x; x = x->parent)
      if (x->maxRunning)
        --budget[x];
    readyList.push_back(t);
  }
}

void Job::markRunning(TaskId t) {
  auto [f, i] = nodeOf(t);
  assert(f->insts[i].s == Inst::S::Ready && "starting a task that is not ready");
  f->insts[i].s = Inst::S::Running;
  pending.erase(std::find(pending.begin(), pending.end(), t));
  ++runningCount;
  for (Frame *x = f; x; x = x->parent)
    ++x->runningHere;
  refreshReady();
  ++changes;
}

void Job::complete(TaskId t, TaskOutcome outcome) {
  auto [f, i] = nodeOf(t);
  Inst &inst = f->insts[i];
  if (inst.s != Inst::S::Running)
    return; // a result for a job that already failed or a stale task
  ++changes;
  --runningCount;
  for (Frame *x = f; x; x = x->parent)
    --x->runningHere;
  if (state != State::Running)
    return;
  const ir::Node &n = f->graph->nodes[i];
  if (!outcome.ok) {
    inst.s = Inst::S::Failed;
    emit(JobEvent::Kind::NodeFailed, f, i, "", 0, outcome.error);
    fail("stage '" + n.id + "' failed: " + outcome.error);
    return;
  }
  std::string why;
  if (!(n.llm && n.llm->isPlanner) && !conforms(outcome.value, n.resultType, module, &why)) {
    inst.s = Inst::S::Failed;
    emit(JobEvent::Kind::NodeFailed, f, i, "", 0, why);
    fail("stage '" + n.id + "' returned a value that is not " + n.resultType.str() + ": " + why);
    return;
  }
  finishNode(f, i, std::move(outcome.value));
  refreshReady();
}

void Job::finishNode(Frame *f, size_t i, Value v) {
  if (state != State::Running)
    return;
  Inst &inst = f->insts[i];
  inst.value = std::move(v);
  inst.s = Inst::S::Done;
  emit(JobEvent::Kind::NodeFinished, f, i);
  for (size_t u : inst.users)
    if (--f->insts[u].pendingDeps == 0 && f->insts[u].s == Inst::S::Waiting)
      nodeReady(f, u);
  if (--f->remaining == 0)
    frameDone(f);
}

void Job::frameDone(Frame *f) {
  if (state != State::Running)
    return;
  if (f->parent) {
    childFrameDone(f->parent, f->ownerIndex, f);
    return;
  }
  auto r = evaluate(appPtr->resultExpr, scopeFor(f));
  if (!r)
    return fail("cannot compute the result: " + llvm::toString(r.takeError()));
  std::string why;
  if (!conforms(*r, appPtr->result, module, &why))
    return fail("the result is not " + appPtr->result.str() + ": " + why);
  resultValue = std::move(*r);
  state = State::Done;
  emit(JobEvent::Kind::JobFinished, nullptr, 0);
}

void Job::resolveDynamic(Frame *f, size_t i) {
  const ir::Node &n = f->graph->nodes[i];
  const ir::DynamicPayload &d = *n.dynamic;
  Inst &inst = f->insts[i];
  std::string inst_name = instanceOf(f, i);
  auto child = [&](const ir::Graph *g, std::string suffix) {
    Frame *c = newFrame(g, f, &inst, f->path + suffix);
    c->ownerIndex = i;
    return c;
  };
  switch (d.kind) {
  case ir::DynamicKind::Branch: {
    std::optional<unsigned> arm = oracle ? oracle->branchArm(n, inst_name) : std::nullopt;
    if (!arm) {
      auto c = evaluate(*d.condition, scopeFor(f));
      if (!c)
        return fail("branch '" + n.id + "': " + llvm::toString(c.takeError()));
      auto b = asCondition(*c, "the condition of '" + n.id + "'");
      if (!b)
        return fail(llvm::toString(b.takeError()));
      arm = *b ? 0 : 1;
    }
    inst.arm = *arm;
    emit(JobEvent::Kind::Expanded, f, i, "branch", *arm);
    if (*arm >= d.bodies.size()) { // no else arm
      finishNode(f, i, nullptr);
      return;
    }
    openFrame(child(&d.bodies[*arm], ""));
    return;
  }
  case ir::DynamicKind::Loop: {
    inst.iteration = 1;
    if (d.init) {
      auto v = evaluate(*d.init, scopeFor(f));
      if (!v)
        return fail("loop '" + n.id + "': init: " + llvm::toString(v.takeError()));
      inst.loopState = std::move(*v);
    }
    emit(JobEvent::Kind::IterationStarted, f, i, "iterations", 1);
    Frame *c = child(&d.bodies[0], "#1");
    c->loopId = n.id;
    c->loopState = inst.loopState;
    openFrame(c);
    return;
  }
  case ir::DynamicKind::Map: {
    auto v = evaluate(*d.list, scopeFor(f));
    if (!v)
      return fail("map '" + n.id + "': " + llvm::toString(v.takeError()));
    if (!v->getAsArray())
      return fail("map '" + n.id + "': expected a list to map over, found " + renderValue(*v));
    inst.items = std::move(*v->getAsArray());
    inst.results.assign(inst.items.size(), nullptr);
    emit(JobEvent::Kind::Expanded, f, i, "expansion_size", int64_t(inst.items.size()));
    if (inst.items.empty()) {
      finishNode(f, i, llvm::json::Array());
      return;
    }
    openMapItems(f, i);
    return;
  }
  case ir::DynamicKind::Planner:
    openPlan(f, i);
    return;
  case ir::DynamicKind::Call: {
    const ir::App *callee = module.findApp(d.callee);
    if (!callee)
      return fail("call '" + n.id + "': unknown application '" + d.callee + "'");
    Frame *c = child(&callee->graph, "@" + inst_name);
    for (const auto &[name, e] : d.args) {
      auto v = evaluate(e, scopeFor(f));
      if (!v)
        return fail("call '" + n.id + "': argument '" + name + "': " + llvm::toString(v.takeError()));
      c->ownInputs[name] = std::move(*v);
    }
    for (const ir::Param &p : callee->inputs) {
      if (!c->ownInputs.get(p.name))
        c->ownInputs[p.name] = p.defaultValue ? *p.defaultValue : Value(nullptr);
      std::string why;
      if (!conforms(*c->ownInputs.get(p.name), p.type, module, &why))
        return fail("call '" + n.id + "': argument '" + p.name + "': " + why);
    }
    c->inputs = &c->ownInputs;
    openFrame(c);
    return;
  }
  }
}

void Job::openMapItems(Frame *f, size_t i) {
  const ir::Node &n = f->graph->nodes[i];
  const ir::DynamicPayload &d = *n.dynamic;
  Inst &inst = f->insts[i];
  while (state == State::Running && inst.nextItem < inst.items.size() &&
         (d.maxParallel == 0 || inst.active < d.maxParallel)) {
    size_t k = inst.nextItem++;
    ++inst.active;
    Frame *c = newFrame(&d.bodies[0], f, &inst, f->path + "[" + std::to_string(k) + "]");
    c->ownerIndex = i;
    c->mapId = n.id;
    c->mapItem = inst.items[k];
    c->mapIndex = k;
    openFrame(c);
  }
}

void Job::openPlan(Frame *f, size_t i) {
  const ir::Node &n = f->graph->nodes[i];
  const ir::DynamicPayload &d = *n.dynamic;
  Inst &inst = f->insts[i];
  auto llmIt = f->index.find(d.resolvedBy.at(0));
  assert(llmIt != f->index.end());
  size_t li = llmIt->second;
  std::vector<PlanStep> steps;
  if (llvm::Error planError = parsePlan(f->insts[li].value, d, module, steps)) {
    std::string why = llvm::toString(std::move(planError));
    if (inst.repairs < kPlanRepairs) {
      // Bounded repair: ask the planner again, telling it what was wrong.
      ++inst.repairs;
      emit(JobEvent::Kind::NodeRetried, f, li, "", 0, "invalid plan, asking again: " + why);
      Inst &llmInst = f->insts[li];
      llmInst.s = Inst::S::Waiting;
      llmInst.repairNote = "Your previous plan was rejected: " + why +
                           ". Reply again with a corrected plan that follows the schema.";
      inst.s = Inst::S::Waiting;
      inst.pendingDeps = 1;
      f->remaining += 1; // the planner node finishes again
      nodeReady(f, li);
      return;
    }
    return fail("planner '" + n.name + "' produced an invalid plan after " + std::to_string(inst.repairs + 1) +
                " attempt(s): " + why);
  }
  emit(JobEvent::Kind::Expanded, f, i, "expansion_size", int64_t(steps.size()));
  events.back().parts = stepsPerTemplate(steps, d);
  Frame *c = newFrame(nullptr, f, &inst, f->path);
  c->ownerIndex = i;
  c->isPlan = true;
  c->maxRunning = d.maxParallel;
  c->ownedGraph = buildPlanGraph(steps, d, c->ownedPayloads);
  c->graph = c->ownedGraph.get();
  openFrame(c);
}

void Job::childFrameDone(Frame *f, size_t i, Frame *child) {
  const ir::Node &n = f->graph->nodes[i];
  const ir::DynamicPayload &d = *n.dynamic;
  Inst &inst = f->insts[i];
  auto yieldIn = [&](Frame *c, size_t body) -> std::optional<Value> {
    if (body >= d.yields.size() || !d.yields[body])
      return Value(nullptr);
    auto v = evaluate(*d.yields[body], scopeFor(c));
    if (!v) {
      fail("'" + n.id + "': yield: " + llvm::toString(v.takeError()));
      return std::nullopt;
    }
    return std::move(*v);
  };
  switch (d.kind) {
  case ir::DynamicKind::Branch: {
    auto y = yieldIn(child, inst.arm);
    if (y)
      finishNode(f, i, std::move(*y));
    return;
  }
  case ir::DynamicKind::Loop: {
    auto y = yieldIn(child, 0);
    if (!y)
      return;
    std::optional<bool> stop = oracle ? oracle->loopStops(n, instanceOf(f, i), inst.iteration) : std::nullopt;
    if (!stop) {
      auto c = evaluate(*d.condition, scopeFor(child, &*y, &n.id));
      if (!c)
        return fail("loop '" + n.id + "': until: " + llvm::toString(c.takeError()));
      auto b = asCondition(*c, "the until condition of '" + n.id + "'");
      if (!b)
        return fail(llvm::toString(b.takeError()));
      stop = *b;
    }
    if (*stop || inst.iteration >= d.maxExpansion) {
      emit(JobEvent::Kind::Expanded, f, i, "iterations", inst.iteration,
           *stop ? "" : "stopped at the bound");
      finishNode(f, i, std::move(*y));
      return;
    }
    inst.loopState = std::move(*y);
    ++inst.iteration;
    emit(JobEvent::Kind::IterationStarted, f, i, "iterations", inst.iteration);
    Frame *c = newFrame(&d.bodies[0], f, &inst, f->path + "#" + std::to_string(inst.iteration));
    c->ownerIndex = i;
    c->loopId = n.id;
    c->loopState = inst.loopState;
    openFrame(c);
    return;
  }
  case ir::DynamicKind::Map: {
    auto y = yieldIn(child, 0);
    if (!y)
      return;
    inst.results[child->mapIndex] = std::move(*y);
    --inst.active;
    ++inst.finished;
    if (inst.finished == inst.items.size()) {
      llvm::json::Array out;
      for (Value &v : inst.results)
        out.push_back(std::move(v));
      finishNode(f, i, std::move(out));
      return;
    }
    openMapItems(f, i);
    return;
  }
  case ir::DynamicKind::Planner: {
    llvm::json::Array out;
    for (Inst &s : child->insts)
      out.push_back(s.value);
    finishNode(f, i, std::move(out));
    return;
  }
  case ir::DynamicKind::Call: {
    const ir::App *callee = module.findApp(d.callee);
    auto r = evaluate(callee->resultExpr, scopeFor(child));
    if (!r)
      return fail("call '" + n.id + "': result: " + llvm::toString(r.takeError()));
    finishNode(f, i, std::move(*r));
    return;
  }
  }
}

} // namespace llmflow::rt
