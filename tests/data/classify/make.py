#!/usr/bin/env python3
# make.py: writes train.tsv and dev.tsv, a small synthetic two-topic task
# (sport vs cooking, English and Chinese) for tests/e2e_classify.sh.
# Every sentence is made up here from the word lists below; seeded, so
# running it again gives the same files.
import random

sport_en = ["the striker scored a late goal", "the referee showed a red card",
            "our team won the match", "the coach praised the defence",
            "a penalty decided the final", "the runner broke the record",
            "fans cheered in the stadium", "the goalkeeper saved the shot"]
cook_en = ["simmer the sauce for ten minutes", "add salt and chop the onions",
           "bake the bread until golden", "whisk the eggs with sugar",
           "fry the garlic in olive oil", "the soup needs more pepper",
           "knead the dough and let it rest", "roast the vegetables slowly"]
sport_zh = ["前锋在最后一分钟进球", "裁判出示了红牌", "我们队赢得了比赛",
            "守门员扑出了点球", "球迷在体育场欢呼"]
cook_zh = ["把洋葱切碎加盐", "用小火慢炖汤", "面包烤到金黄色",
           "鸡蛋和糖一起搅拌", "大蒜用橄榄油炒香"]
filler = ["today", "yesterday", "again", "really", "I think", "of course"]

def lines(rng, n):
    out = []
    for i in range(n):
        sport = i % 2 == 0
        zh = i % 5 == 0
        pool = (sport_zh if sport else cook_zh) if zh else \
               (sport_en if sport else cook_en)
        s = rng.choice(pool)
        if not zh and rng.random() < 0.5:
            s = rng.choice(filler) + " " + s
        if rng.random() < 0.3:
            s = s + ("，" if zh else ", ") + rng.choice(pool)
        out.append("%s\t%s" % (s, "sport" if sport else "cooking"))
    return out

rng = random.Random(5)
with open("train.tsv", "w") as f:
    f.write("text\tlabel\n")
    f.write("\n".join(lines(rng, 160)) + "\n")
with open("dev.tsv", "w") as f:
    f.write("\n".join(lines(rng, 40)) + "\n")
