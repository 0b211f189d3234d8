#!/usr/bin/env python3
"""Regenerates inputs.jsonl: 20 synthetic long documents (deterministic, seed 7).

Five genres (meeting transcript, incident postmortem, earnings call, research
report, council minutes), four documents each, 900-4,100 words, so that
350-word chunks (300 for a few) give 3-12 map calls (median 5; 4 jobs take
the second reduce level). Sentences come from slot-filled templates drawn
roughly in narrative order; names, numbers and dates vary per document.
    python3 examples/mapreduce/make_inputs.py > examples/mapreduce/inputs.jsonl
"""
import json
import random

R = random.Random(7)

PEOPLE = ["Priya Raman", "Tom Okafor", "Lena Fischer", "Diego Alvarez", "Mei Chen", "Sam Novak", "Aisha Bello",
          "Jonas Berg", "Hannah Kim", "Marco Rossi", "Fatima Zahra", "Ben Carter", "Yuki Tanaka", "Olga Petrova",
          "Ravi Menon", "Chloe Martin", "Kwame Mensah", "Sofia Lind", "Arjun Patel", "Nora Walsh"]
COMPANIES = ["Northwind Analytics", "Bluefin Logistics", "Helios Energy", "Cobalt Health", "Ridgeview Foods",
             "Lumen Robotics", "Atlas Freight", "Verdant Farms", "Quartz Payments", "Harbor Labs"]
PRODUCTS = ["the mobile app", "the billing service", "the route planner", "the patient portal", "the data platform",
            "the checkout flow", "the warehouse scanner", "the search index", "the partner API", "the onboarding wizard"]
CITIES = ["Riverton", "Lakeside", "Eastbrook", "Millford", "Westport", "Cedar Falls", "Oakridge", "Bayview"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def num(a, b):
    return R.randint(a, b)


def pct():
    return f"{R.randint(2, 48)}.{R.randint(0, 9)}%"


def money():
    return f"${R.randint(1, 950)}.{R.randint(0, 9)} million"


def fill(t, ctx):
    slots = {
        "p": lambda: R.choice(ctx["people"]), "p2": lambda: R.choice(ctx["people"]),
        "co": lambda: ctx["company"], "prod": lambda: R.choice(PRODUCTS), "city": lambda: ctx["city"],
        "n": lambda: str(num(2, 60)), "big": lambda: f"{num(120, 9000):,}", "pct": pct, "money": money,
        "month": lambda: R.choice(MONTHS), "day": lambda: R.choice(WEEKDAYS), "q": lambda: f"Q{num(1, 4)}",
        "ms": lambda: str(num(40, 2400)), "hh": lambda: f"{num(0, 23):02d}", "mm": lambda: f"{num(0, 59):02d}", "year": lambda: str(num(2019, 2025)), "topic": lambda: R.choice(ctx["topics"]),
    }
    out = t
    for k in sorted(slots, key=len, reverse=True):
        while "{" + k + "}" in out:
            out = out.replace("{" + k + "}", slots[k](), 1)
    return out


GENRES = {
 "meeting": {
  "titles": ["Weekly product sync: {co}", "Planning meeting for the {month} release", "Design review: {prod}",
             "Quarterly roadmap meeting, {co}"],
  "topics": ["the release date", "the hiring plan", "customer churn", "the pricing change", "the accessibility audit",
             "the migration to the new database", "support ticket volume", "the beta programme"],
  "sections": ["Attendees and agenda", "Status updates", "Discussion", "Risks", "Decisions", "Action items"],
  "templates": [
   "{p}: Let's start with {topic}. Last week we said we would have numbers by {day}, and we do.",
   "{p}: The short version is that {prod} is on track, but {topic} is still the biggest open item.",
   "{p2}: I looked at the dashboard this morning. Weekly active users went up {pct} since the last sync.",
   "{p}: Support tickets about {prod} dropped to {n} this week, down from {big} at the peak.",
   "{p2}: I'm worried about {topic}. If we slip again we lose the {month} window with the partner.",
   "{p}: Can we agree that the {month} date is fixed and we cut scope instead of moving it?",
   "{p2}: I can live with that if we keep the export feature and drop the redesign of the settings page.",
   "{p}: Design has {n} screens left; two of them depend on the API changes that are not merged yet.",
   "{p2}: The load test showed a p95 latency of {ms} ms, which is above the 500 ms target we set.",
   "{p}: We hired {n} engineers this quarter and we still have {n} open positions on the platform team.",
   "{p2}: Finance wants a forecast for {topic} by the end of {month}.",
   "{p}: My proposal is to run a two-week beta with {n} customers and decide after we see the feedback.",
   "{p2}: Agreed. {p} will own the beta and report back at the next sync.",
   "{p}: One more risk: the vendor contract for {prod} expires in {month} and renewal costs went up {pct}.",
   "{p2}: Legal has reviewed the new terms and flagged the data residency clause as a blocker.",
   "{p}: Decision: we keep the launch in {month}, the redesign moves to next quarter.",
   "{p2}: Action item for {p}: share the revised plan for {topic} by {day}.",
   "{p}: Action item for {p2}: schedule the accessibility review with the external auditor.",
   "{p2}: I'll also send the churn analysis; the early numbers suggest {pct} of cancellations mention price.",
   "{p}: Anything else? If not, we'll pick up {topic} next week.",
  ]},
 "postmortem": {
  "titles": ["Incident postmortem: {prod} outage", "Postmortem: degraded {prod} in {city} region",
             "Incident review: data delay in {prod}", "Postmortem: failed deploy of {prod}"],
  "topics": ["the connection pool", "the cache cluster", "the deploy pipeline", "the message queue",
             "the DNS configuration", "the certificate rotation", "the database failover", "the rate limiter"],
  "sections": ["Summary", "Impact", "Timeline", "Root cause", "Detection", "Resolution and recovery",
               "What went well", "What went wrong", "Action items"],
  "templates": [
   "At {hh}:{mm} UTC, error rates for {prod} rose from under 0.1% to {pct}.",
   "The on-call engineer, {p}, was paged by the latency alert and acknowledged within {n} minutes.",
   "Approximately {big} requests failed during the incident, affecting {big} customers in the {city} region.",
   "The root cause was a configuration change to {topic} that reduced its capacity by half.",
   "The change had passed review, but the staging environment does not reproduce production traffic patterns.",
   "{p2} rolled back the change at {hh}:{mm} UTC, and error rates returned to normal {n} minutes later.",
   "Retries from clients amplified the load on {topic} by roughly {n} times during the first ten minutes.",
   "Dashboards showed the saturation of {topic} clearly, but no alert was defined for it.",
   "Customer support received {big} tickets and posted a status page update after {n} minutes.",
   "The incident lasted {n} minutes from first impact to full recovery.",
   "Because the queue kept accumulating, batch jobs finished {n} hours late and reports were delayed.",
   "We will add an alert on the saturation of {topic} with a threshold of 80% for five minutes.",
   "{p} will add a canary stage to the deploy pipeline so that configuration changes reach 5% of traffic first.",
   "The runbook for {topic} was out of date; {p2} will rewrite it and test it in the next game day.",
   "What went well: the rollback procedure worked the first time and communication in the incident channel was clear.",
   "What went wrong: the first responder spent {n} minutes investigating {prod} before looking at {topic}.",
   "Client libraries will use exponential backoff with jitter and a retry budget of {pct} of requests.",
   "No data was lost; {big} delayed messages were processed after recovery.",
   "Service level objective impact: the monthly error budget for {prod} is now {pct} consumed.",
   "This is the {n}th incident this year related to {topic}, which suggests a deeper design problem.",
  ]},
 "earnings": {
  "titles": ["{co} {q} {year} earnings call transcript", "{co} annual results {year}: prepared remarks",
             "{co} {q} investor update", "{co} half-year financial report {year}"],
  "topics": ["subscription revenue", "gross margin", "operating expenses", "free cash flow", "international growth",
             "customer acquisition cost", "the enterprise segment", "inventory levels"],
  "sections": ["Opening remarks", "Financial highlights", "Segment results", "Outlook", "Questions and answers"],
  "templates": [
   "{p}, Chief Executive Officer: Good afternoon and thank you for joining the {co} earnings call.",
   "Revenue for the quarter was {money}, up {pct} year over year, driven mainly by {topic}.",
   "Gross margin was {pct}, compared with {pct} in the same quarter last year.",
   "Operating expenses grew {pct}, slower than revenue, as we completed the restructuring announced in {month}.",
   "{topic} contributed {money} and now represents {pct} of total revenue.",
   "We ended the quarter with {money} in cash and no outstanding debt.",
   "Free cash flow was {money}, and we repurchased {big} thousand shares.",
   "In the enterprise segment we signed {n} new customers with annual contracts above $1 million.",
   "Our net revenue retention rate was {pct} above 100, reflecting expansion within existing accounts.",
   "{p2}, Chief Financial Officer: For the full year we now expect revenue between {money} and {money}.",
   "We expect headwinds from currency movements of about {pct} in the next two quarters.",
   "Analyst question from {p}: How should we think about {topic} given the pricing changes?",
   "{p2}: We saw some elongation of sales cycles in {month}, but the pipeline for {topic} is healthy.",
   "Capital expenditure was {money}, mostly for the new distribution centre in {city}.",
   "Headcount at the end of the quarter was {big}, an increase of {pct} compared with last year.",
   "We are not changing our long-term target of a {pct} operating margin.",
   "Inventory decreased by {money} as supply chain conditions normalised.",
   "Analyst question from {p}: Can you quantify the impact of the {city} facility on margins?",
   "{p2}: We expect the {city} facility to add about {pct} to gross margin once it reaches full utilisation in {year}.",
   "{p}: To conclude, we remain confident in our strategy and our ability to grow {topic}.",
  ]},
 "research": {
  "titles": ["Evaluating {topic} for long-context language models", "A field study of {topic} in {city}",
             "Technical report: {topic} at scale", "Reproducibility study: {topic}"],
  "topics": ["retrieval augmentation", "speculative decoding", "sparse attention", "low-rank adaptation",
             "curriculum learning", "quantisation to 4 bits", "mixture-of-experts routing", "data deduplication"],
  "sections": ["Abstract", "Introduction", "Related work", "Method", "Experimental setup", "Results", "Ablations",
               "Limitations", "Conclusion"],
  "templates": [
   "We study {topic} and its effect on accuracy, latency and memory use.",
   "Prior work reported gains of up to {pct} but evaluated only on short inputs.",
   "Our method combines {topic} with a lightweight scheduler that adapts to the input length.",
   "We evaluate on {n} benchmarks covering question answering, summarisation and code generation.",
   "All experiments use {n} GPUs with a batch size of {n} and a learning rate of 3e-4.",
   "Compared with the baseline, {topic} improves accuracy by {pct} on average.",
   "Latency at the 95th percentile drops from {ms} ms to {ms} ms for inputs longer than 8,000 tokens.",
   "Memory use is reduced by {pct}, which allows a batch size {n} times larger on the same hardware.",
   "The gains are smallest on code generation, where {topic} helps by only {pct}.",
   "An ablation removing the scheduler reduces the improvement to {pct}, showing that both parts matter.",
   "We observe that performance degrades when the number of retrieved passages exceeds {n}.",
   "Results are averaged over {n} random seeds; the standard deviation is below 0.5 points.",
   "{p} and {p2} annotated {big} examples to measure factual consistency, with an agreement of {pct}.",
   "A limitation of our study is that all models have fewer than {n} billion parameters.",
   "We also did not evaluate languages other than English, which we leave to future work.",
   "Training the largest configuration took {big} GPU hours, or about {money} at cloud prices.",
   "Error analysis shows that {pct} of the remaining failures involve multi-step reasoning.",
   "The code and data are released under an open licence to support reproduction.",
   "In conclusion, {topic} is a practical way to improve long-context performance at modest cost.",
   "Future work includes combining {topic} with adaptive computation and testing at larger scales.",
  ]},
 "council": {
  "titles": ["{city} city council minutes, {month} {year}", "{city} transport committee: public hearing",
             "{city} budget workshop minutes", "{city} planning commission regular meeting"],
  "topics": ["the bike lane network", "the downtown parking plan", "the new library branch", "water main replacement",
             "the affordable housing ordinance", "the bus rapid transit line", "the park renovation", "street lighting"],
  "sections": ["Call to order", "Public comment", "Consent agenda", "Old business", "New business", "Staff reports",
               "Votes", "Adjournment"],
  "templates": [
   "Mayor {p} called the meeting to order at 6:{mm} p.m.; {n} members were present.",
   "{p2}, a resident of the east side, spoke in favour of {topic} and presented a petition with {big} signatures.",
   "Several speakers raised concerns about the cost of {topic}, estimated by staff at {money}.",
   "The consent agenda, including the minutes of the {month} meeting, was approved unanimously.",
   "City engineer {p} reported that {topic} is {pct} complete and {n} weeks behind schedule.",
   "The delay was attributed to supply problems and a wet {month}, which stopped work for {n} days.",
   "Councillor {p2} asked whether the contractor would pay penalties; staff will report back in {month}.",
   "The finance director presented the mid-year budget: revenues are {pct} above forecast, mainly from sales tax.",
   "A motion to allocate {money} from the reserve fund to {topic} passed {n} to 2.",
   "Councillor {p} proposed a public survey on {topic} before any further spending.",
   "Staff recommended a pilot on {n} streets, with results to be reviewed after six months.",
   "The police chief reported a {pct} decrease in traffic collisions since the speed limit change.",
   "{p2} noted that {big} households are on the waiting list for affordable housing.",
   "The motion to adopt the ordinance on {topic} was tabled until the next regular meeting.",
   "Public works will replace {big} streetlights with LED fixtures, saving an estimated {money} over ten years.",
   "Residents asked for more evening bus service; the transit agency will present options in {month}.",
   "The council directed staff to prepare a grant application for {topic} by {month} {year}.",
   "Councillor {p} thanked the volunteers who organised the clean-up of the {city} riverfront.",
   "A closed session was held to discuss a property acquisition; no action was reported.",
   "There being no further business, the meeting was adjourned at 9:{mm} p.m.",
  ]},
}

LENGTHS = [900, 1000, 1150, 1250, 1350, 1450, 1500, 1550, 1600, 1650,
           1700, 1750, 1800, 1900, 2000, 2150, 2400, 2700, 3100, 4100]
FOCUS = ["decisions and action items", "the root cause and follow-up actions", "guidance and risks for investors",
         "the results and limitations", "votes taken and spending approved"]


def document(genre, g, words, ctx):
    title = fill(R.choice(g["titles"]), ctx)
    out, count, used = [], 0, {}
    sections, templates = g["sections"], g["templates"]
    per_section = max(1, words // len(sections))
    for si, s in enumerate(sections):
        # templates are listed in narrative order: each section draws from its
        # share of the list, widened a little, so the document reads in order
        lo = max(0, si * len(templates) // len(sections) - 4)
        hi = min(len(templates), (si + 1) * len(templates) // len(sections) + 4)
        pool = templates[lo:hi]
        out.append(f"## {s}")
        sec, paragraph = 0, []
        while sec < per_section and count < words:
            # the least used template of the pool, ties broken at random
            least = min(used.get(t, 0) for t in pool)
            t = R.choice([t for t in pool if used.get(t, 0) == least])
            used[t] = used.get(t, 0) + 1
            sent = fill(t, ctx)
            paragraph.append(sent)
            n = len(sent.split())
            sec += n
            count += n
            if len(paragraph) >= R.randint(3, 6):
                out.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            out.append(" ".join(paragraph))
    return title, "\n\n".join(out)


def main():
    order = list(GENRES) * 4
    lengths = LENGTHS[:]
    R.shuffle(lengths)
    for i, (genre, words) in enumerate(zip(order, lengths)):
        g = GENRES[genre]
        ctx = {"people": R.sample(PEOPLE, 5), "company": R.choice(COMPANIES), "city": R.choice(CITIES),
               "topics": R.sample(g["topics"], 4)}
        title, text = document(genre, g, words, ctx)
        row = {"document": text, "title": title, "focus": FOCUS[list(GENRES).index(genre)]}
        if 2400 <= words < 3500:
            row["chunk_words"] = 300  # a few jobs pick a smaller chunk size
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
