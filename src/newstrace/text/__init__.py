"""Text conventions every stage shares, each defined once: where quotations are
(:mod:`newstrace.text.quotes`), where sentences end (:mod:`newstrace.text.sentences`),
which words are no names or carry no content (:mod:`newstrace.text.words`), what the cheap
readings of names and numbers are (:mod:`newstrace.text.names`), how a story is
titled (:mod:`newstrace.text.titles`), how an outlet's name is compared
(:mod:`newstrace.text.outlets`), and a batch of texts as one array for the vectorised
passes (:mod:`newstrace.text.batch`).

A stage that needs to know what counts as a quotation asks this package rather than keeping
its own pattern, so that "text inside quotation marks is never copy evidence" means the same
thing in alignment, direction, paraphrase checks, sentence splitting and quote extraction.
"""
