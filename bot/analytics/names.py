"""Common first names in the Netherlands (CBS/Meertens top lists, by hand): for the redactor.

Names that are also everyday Dutch words ("ben", "wil", "roos", "mark") are in ``WORD_LIKE``: they
count as a name only when capitalised and not at the start of a sentence, or after "ik heet".
"""
FIRST_NAMES = frozenset("""
aaron abdel abdelkader abdul abdullah adam adriaan ahmed aisha ajda alex alexander ali alice amber
amina amir amira amy anna anne annemiek anouk anton ayoub bart bas bastiaan bayu beau benjamin bilal
bjorn boaz bob boris bram britt brian bryan buse can casper cees celine charlotte chloe chris
christiaan daan dani daniel danny dave david dean demi dennis devin dewi dex dilan dirk dylan eline
elif elise ella emily emir emma emre eva evi ezra fabian fatima fatma femke finn fleur floor floris
fenna frank gerrit gijs guus hamza hanna hannah hassan henk hidde hugo ibrahim imane ilse ilias
inge ingrid isa isabel isabella ivo iris jacob jada jan jannes jasmijn jasper jayden jelle jente
jesse jessica jeroen joep joey johan jonas jonathan joost jordy jorn joris josh julia julian
justin kaan karim kees kevin khadija koen lars laura lauren lieke lina linda lisa lotte louise
luca lucas luuk maarten maaike mats max maxime mehmet melissa merel mila milan mohamed mohammed
mohammad mustafa nadia naomi nathan nick nienke niels nina noah noor nora olivia omar oscar
patrick paul pieter quinn rachid rayan reza rick rik robin romy rosa ruben rutger ryan sam samira
sander sandra sanne sara sarah sem senna sep siem sofie sophie stefan stijn sven teun thijs thomas
tim tess tom tijn vera victor vince wesley willem wouter xander yara yasmine yusuf youssef zoe
zeynep milou lotte liam levi mees olaf wim piet klaas jeanine esther marieke annelies mohamad
""".split())

# Also ordinary words: only a name when capitalised mid-sentence or after "ik heet".
WORD_LIKE = frozenset("ben wil roos mark kim sterre lente storm bo noa mo zon jade ruby amber".split())
