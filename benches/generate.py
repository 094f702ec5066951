#!/usr/bin/env python3
"""Seeded generator of realistic stagebook playbooks, for benchmarks and load tests.

usage: generate.py OUT_DIR [--files N] [--seed S] [--defects FRACTION]
       generate.py OUT_FILE.yaml --one-big --stages N      (one large playbook)

Each playbook has 5-12 stages ending in won/lost, English or Chinese text (about half each),
full guidance (buyer view, know, do, say, content, exits) and is about 16 KB. Text is written as
authors write it: plain scalars, quoted where YAML needs it and now and then by habit. A share of the
files (--defects, default 0.1) carries defects a check must report: a bad duration, an unknown
field, a dangling `next`, a missing exit. The same seed writes the same bytes.
"""
import argparse
import os
import random

EN_WORDS = ("buyer team budget onboarding pipeline demo contract security pricing renewal "
            "forecast champion proposal integration rollout workflow manager approval quarter "
            "hiring revenue churn adoption training legal procurement timeline").split()
ZH_WORDS = ("客户 预算 演示 合同 报价 决策人 需求 痛点 方案 上线 培训 审批 采购 "
            "法务 续约 线索 商机 跟进 案例 价值 流程 团队 系统 数据").split()
CHANNELS = ["email", "phone", "video-call", "meeting", "chat", "crm"]
KINDS = ["case-study", "video", "blog", "doc", "deck", "one-pager", "calculator"]


def sentence(rng, zh, n):
    if zh:
        return "".join(rng.choice(ZH_WORDS) for _ in range(n)) + "。"
    words = [rng.choice(EN_WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


PLAIN_UNSAFE_START = tuple("-?:,[]{}#&*!|>'\"%@`")


def scalar(rng, text):
    """Text as an author writes it: plain where YAML allows, quoted where it must be, and
    quoted now and then out of habit."""
    plain = (text and not text.startswith(PLAIN_UNSAFE_START) and text == text.strip()
             and ": " not in text and " #" not in text and not text[0].isdigit()
             and text.lower() not in ("true", "false", "null", "yes", "no", "~"))
    return text if plain and rng.random() >= 0.1 else quote(text)


def playbook(rng, index, stages_wanted, defect):
    zh = rng.random() < 0.5
    out = ["# yaml-language-server: $schema=../schemas/playbook.schema.json",
           "stagebook: 1", "playbook:", f"  id: generated-{index}",
           f"  name: {scalar(rng, ('生成的销售流程 ' if zh else 'Generated playbook ') + str(index))}",
           f"  locale: {'zh-CN' if zh else 'en'}", "  owner: sales-ops@example.com",
           f"  cycle_target: {stages_wanted * 2 + 4}w"]
    out.append("content:")
    content_ids = []
    for c in range(6):
        cid = f"content-{c}"
        content_ids.append(cid)
        out += [f"  - id: {cid}", f"    title: {scalar(rng, sentence(rng, zh, 6))}",
                f"    kind: {rng.choice(KINDS)}", f"    url: https://example.com/{index}/{cid}",
                f"    description: {scalar(rng, sentence(rng, zh, 12))}"]
    ids = [f"stage-{s}" for s in range(stages_wanted)]
    out.append("stages:")
    for s, sid in enumerate(ids):
        nxt = ids[s + 1] if s + 1 < len(ids) else "won"
        out += [f"  - id: {sid}", f"    name: {scalar(rng, sentence(rng, zh, 2)[:-1])}",
                f"    goal: {scalar(rng, sentence(rng, zh, 10))}",
                f"    expected_duration: {rng.randint(3, 14)}d",
                f"    crm_names: [{scalar(rng, 'Stage ' + str(s))}]",
                "    buyer_view:", "      pains:"]
        out += [f"        - {scalar(rng, sentence(rng, zh, 8))}" for _ in range(3)]
        out.append("      questions:")
        out += [f"        - {scalar(rng, sentence(rng, zh, 7))}" for _ in range(3)]
        out.append("    know:")
        out += [f"      - {scalar(rng, sentence(rng, zh, 10))}" for _ in range(3)]
        out.append("    do:")
        for _ in range(3):
            out += [f"      - action: {scalar(rng, sentence(rng, zh, 8))}",
                    f"        channel: {rng.choice(CHANNELS)}",
                    f"        count: {rng.randint(1, 5)}"]
        out.append("    say:")
        for _ in range(2):
            out += [f"      - situation: {scalar(rng, sentence(rng, zh, 6))}",
                    f"        script: {scalar(rng, sentence(rng, zh, 20))}"]
        out += [f"      - objection: {scalar(rng, sentence(rng, zh, 7))}",
                f"        response: {scalar(rng, sentence(rng, zh, 20))}"]
        out.append(f"    content: [{', '.join(rng.sample(content_ids, 2))}]")
        out += ["    exit:", f"      - event: {scalar(rng, ('客户' if zh else 'The buyer ') + sentence(rng, zh, 8))}",
                f"        evidence: {scalar(rng, sentence(rng, zh, 8))}"]
        out.append(f"    next: [{nxt}, lost]" if s == len(ids) - 1 else f"    next: {nxt}")
    out += ["  - id: won", f"    name: {'赢单' if zh else 'Closed won'}", "    terminal: won",
            "  - id: lost", f"    name: {'丢单' if zh else 'Closed lost'}", "    terminal: lost"]
    text = "\n".join(out) + "\n"
    if defect:
        kind = rng.randrange(4)
        if kind == 0:
            text = text.replace("expected_duration: 3d", "expected_duration: 3 days", 1)
            text = text.replace("expected_duration: 4d", "expected_duration: four days", 1)
        elif kind == 1:
            text = text.replace("    goal:", "    gaol:", 1)
        elif kind == 2:
            text = text.replace("next: stage-1", "next: stage-one", 1)
        else:
            text = text.replace("    exit:\n", "    exits:\n", 1)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defects", type=float, default=0.1)
    ap.add_argument("--one-big", action="store_true")
    ap.add_argument("--stages", type=int, default=1400)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if a.one_big:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(playbook(rng, 0, a.stages, False))
        return
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.files):
        defect = rng.random() < a.defects
        text = playbook(rng, i, rng.randint(3, 10), defect)
        with open(os.path.join(a.out, f"playbook-{i:05d}.yaml"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
