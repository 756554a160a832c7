#!/usr/bin/env python3
"""make_cases.py: writes cases.tsv for tests/test_quality.c.  Texts are our
own; each bad case breaks one rule of a good English or Chinese document, so
the expected reason code is the rule's.  Run from this directory."""

EN = ("The river flows slowly through the old town in the early morning light. "
      "Fishermen prepare their boats while the market opens with fresh bread and cheese.\n"
      "Visitors often walk along the stone bridge to watch the water below. "
      "The museum near the square shows paintings from the last three centuries.\n"
      "In the evening, families gather in small restaurants that serve local dishes. "
      "Music from a nearby church can be heard until late at night.\n"
      "Many people who come here for a single weekend decide to return every year. "
      "They say that the quiet streets and friendly neighbours make it feel like home.")
ZH = ("清晨的阳光洒在古老的小镇上，河水缓缓流过石桥。渔民们正在准备出海，市场上已经摆满了新鲜的面包和水果。\n"
      "游客们喜欢沿着河岸散步，欣赏两岸的风景。广场附近的博物馆展出了过去三个世纪的绘画作品。\n"
      "到了晚上，家人们聚在小餐馆里品尝当地的美食。远处教堂的钟声一直响到深夜。\n"
      "很多人原本只打算在这里度过一个周末，后来却决定每年都回来。他们说这里安静的街道和友好的邻居让人有家的感觉。")

rows = []
def row(text, opts, lang, dec, reason, rewritten="-", detail="-"):
    rows.append((text, opts, lang, dec, reason, rewritten, detail))

row(EN, "-", "en", "keep", "-")
row(EN, "-", "-", "keep", "-")
row(ZH, "-", "zh", "keep", "-")
row(EN, "min_words=500", "en", "drop", "gopher_short_doc")
row(ZH, "min_words=500", "zh", "drop", "gopher_short_doc")
row(EN, "max_words=20", "en", "drop", "gopher_long_doc")
# Chinese with English mean-word-length rule forced on: one char per word
row(ZH, "no_word_length_langs=th", "zh", "drop", "gopher_mean_word_length")
row(ZH, "no_word_length_langs=th;min_mean_word_length=0;max_mean_word_length=0", "zh", "keep", "-")
row(EN.replace("The ", "Antidisestablishmentarianism ").replace("the ", "antidisestablishmentarianism ").replace(" a ", " supercalifragilistic "),
    "max_mean_word_length=6", "en", "drop", "gopher_mean_word_length")
row(EN + "\n" + " ".join("#t%d" % i for i in range(15)) + ".", "-", "en", "drop", "gopher_hash_ratio")
row(EN.replace(". ", "... ").replace(".\n", "...\n").replace(", ", "... "), "max_ellipsis_lines=0;max_symbol_ratio=0.05", "en", "drop", "gopher_ellipsis_ratio")
row("\n".join("- " + l for l in EN.split(". ")) , "max_bullet_lines=0.5", "en", "drop", "gopher_bullet_lines")
row("\n".join(l + " and so on…" for l in EN.split("\n")), "max_symbol_ratio=0", "en", "drop", "gopher_ellipsis_lines")
row(EN + "\n" + " ".join(str(1000 + i) for i in range(120)) + ".", "-", "en", "drop", "gopher_alpha_words")
row(EN.replace("the ", "one ").replace("The ", "One ").replace(" and ", " plus ").replace(" that ", " who ").replace(" to ", " into ").replace(" with ", " by ").replace(" of ", " from "),
    "c4=false", "en", "drop", "gopher_stop_words")
row(ZH.replace("的", "之").replace("了", "过").replace("在", "于").replace("和", "与").replace("有", "存").replace("是", "乃").replace("不", "未").replace("这", "此"),
    "c4=false", "zh", "drop", "gopher_stop_words")
row(ZH.replace("的", "之").replace("了", "过").replace("在", "于").replace("和", "与").replace("有", "存").replace("是", "乃").replace("不", "未").replace("这", "此"),
    "c4=false;min_mean_word_length=0", "de", "keep", "-")
# repetition
para = EN.split("\n")[0]
row("\n\n".join([para] * 4 + EN.split("\n")[1:]), "-", "en", "drop", "gopher_dup_para_frac")
row("\n".join([para, para, "A short closing line ends here."] + EN.split("\n")[1:] + ["Another different line is here."] * 0), "dup_line_frac=0.9;dup_para_frac=0.9;dup_ngrams=;dup_line_char_frac=0.1", "en", "drop", "gopher_dup_line_char_frac")
row("\n".join(["Buy cheap shoes online today."] * 5 + [EN]), "dup_line_char_frac=0", "en", "drop", "gopher_dup_line_frac")
row(EN + "\n" + "buy cheap shoes, " * 40 + "now.", "top_ngrams=2:0.2", "en", "drop", "gopher_top_2_gram")
row(EN + "\n" + "one two three four five six seven eight nine ten eleven. " * 3, "top_ngrams=;dup_ngrams=5:0.1", "en", "drop", "gopher_dup_5_gram")
z1 = ZH.split("\n")[0]
row("\n".join([z1, z1, z1] + ZH.split("\n")[1:]), "-", "zh", "drop", "gopher_dup_line_frac")
row(ZH + "\n" + "便宜的鞋子在线购买。" * 30, "top_ngrams=2:0.15", "zh", "drop", "gopher_top_2_gram")
# C4
row(EN + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.", "-", "en", "drop", "c4_lorem_ipsum")
row(EN + "\nThe function is called like this { return x; } in the code.", "-", "en", "drop", "c4_curly_bracket")
row("Too short text here. It has few sentences.\nOnly three.", "gopher_quality=false;gopher_repetition=false", "en", "drop", "c4_too_few_sentences")
row("Menu\nHome\n" + EN + "\nPlease enable JavaScript to view the comments.\nRead our privacy policy for details.\nWhat is this[1] about? It is about rivers[citation needed].", "fineweb=false", "en", "keep", "-",
    EN + "\nWhat is this about? It is about rivers.")
row("导航\n首页\n" + ZH, "fineweb=false", "zh", "keep", "-", ZH)
row("导航\n首页\n" + ZH, "fineweb=false;c4=false", "zh", "keep", "-")
# FineWeb
row(EN.replace(".", ",") + " and", "c4=false", "en", "drop", "fineweb_line_punct_ratio")
lines = ["Item %d is a stone." % i for i in range(60)]
row("\n".join(lines), "c4=false;gopher_repetition=false;gopher_quality=false", "en", "drop", "fineweb_short_line_ratio")
row(EN + "\n" + "The river flows slowly through the old town in the morning.\nThe river flows slowly through the old town in the morning.", "c4=false;gopher_repetition=false", "en", "drop", "fineweb_char_dup_ratio")
lst = "\n".join("Stone number %d is round and heavy and old and wet." % i for i in range(40))
row(lst, "c4=false;gopher_repetition=false;fw_short_line_ratio=0", "en", "keep", "-")
row("\n".join("Stone %d, round." % i for i in range(40)), "c4=false;gopher_repetition=false;gopher_quality=false;fw_short_line_ratio=0", "en", "drop", "fineweb_list_ratio")
row(ZH.replace("。", "，"), "c4=false", "zh", "drop", "fineweb_line_punct_ratio")
row("", "-", "en", "drop", "gopher_short_doc")
row("", "gopher_quality=false;c4=false", "en", "drop", "fineweb_empty")
row(EN, "top_ngrams=2:0.2,x", "en", "open_error", "is not a list of n:share")
row(EN, "dup_ngrams=5", "en", "open_error", "dup_ngrams")

esc = lambda s: s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
with open("cases.tsv", "w") as f:
    f.write("text\toptions\tlang\turl\tdecision\treason\trewritten\tdetail\n")
    for t, o, l, d, r, rw, dt in rows:
        f.write("\t".join([esc(t), o or "-", l, "-", d, r, esc(rw) if rw not in "-*" else rw, dt]) + "\n")
print(len(rows), "cases")
