/**
 * Sentence banks for the everyday-life prompts of the embedded data set ("Seeking multiple
 * opinions", "Phones and driving") and the letter-dominated "Letter to employer".
 *
 * All text here was written for this project. Templates use the syntax of `template.ts`; a leading
 * `+` marks an advanced-register variant, a leading `-` a plain one (see `prompt_bank.ts`).
 *
 * @module
 */
import type { PromptBank } from "./prompt_bank.ts";

/** "Seeking multiple opinions": is it better to ask several people for advice? */
export const MULTIPLE_OPINIONS: PromptBank = {
  name: "Seeking multiple opinions",
  letter: false,
  topic: [
    "asking more than one person for advice",
    "seeking multiple opinions",
    "getting advice from different people",
    "asking several people for advice",
  ],
  hooks: [
    "-Everybody {needs|asks for} advice {sometimes|at some point}",
    "+Every important decision carries uncertainty, and advice is one way to reduce it",
    "When you have a {hard|difficult|big} decision, who do you ask?",
    "+The wisdom of crowds suggests that many perspectives are often wiser than one",
  ],
  context: [
    "Some people {ask|talk to} {only one person|one friend}, while others ask {many people|everyone they know}",
    "-When I {have|had} a problem I {usually|always} ask {my family|my friends}",
    "+Advice can come from parents, teachers, friends or even strangers online",
  ],
  sides: {
    a: {
      position: [
        "{asking|talking to} more than one person {helps|can help} someone make a better choice",
        "[topic] {leads to|gives} better decisions",
        "it is {better|smarter} to ask {several|many|different} people for advice",
      ],
      ideas: [
        {
          gist: ["different points of view", "seeing the whole picture"],
          claims: [
            "-Different people {see|think about} things in different ways",
            "+Each adviser brings a distinct perspective shaped by their own experience",
            "Asking several people {shows|gives} you {more than one side|different sides} of the problem",
          ],
          details: [
            "+A parent may focus on safety, while a friend may focus on happiness",
            "-My mom thinks about money and my friend thinks about fun",
            "When you {hear|compare} {many|several} {ideas|answers}, you {can|could} pick the best one",
          ],
        },
        {
          gist: ["avoiding mistakes", "catching errors"],
          claims: [
            "-If one person is wrong the others can {tell|help} you",
            "+Consulting multiple people reduces the risk of relying on one mistaken opinion",
            "{More|Several} opinions {help|make it easier to} {avoid|catch} {bad|serious} mistakes",
          ],
          details: [
            "+Even experts disagree, which is why patients often seek a second medical opinion",
            "-One time {a friend|my cousin} {gave|told} me bad advice and I {regretted|was sad}",
            "If three people {say|tell you} the same thing, you {can|could} feel more {sure|confident}",
          ],
        },
        {
          gist: ["experience of others", "learning from others"],
          claims: [
            "-Older people have more experience",
            "+Gathering advice lets you benefit from experiences you have not lived yourself",
            "Each person {has|had} different experiences {that|which} {can|could} help you",
          ],
          details: [
            "[Relative] {went through|had} the same problem {years ago|a long time ago}",
            "+A teacher who has seen hundreds of students can predict problems a teenager cannot",
            "-My grandma knows a lot {about life|of things}",
          ],
        },
        {
          gist: ["confidence", "feeling supported"],
          claims: [
            "-{When|If} many people help you, you {feel|are} {better|happy}",
            "+Consulting several people can give you the confidence to act on a difficult decision",
            "Talking to {different|several} people {makes|can make} a decision {less scary|easier}",
          ],
          details: [
            "+Knowing that others support your choice makes it easier to commit to it",
            "-Sometimes you {are|feel} {scared|nervous} to choose alone",
          ],
        },
      ],
    },
    b: {
      position: [
        "asking {too many|many} people {can|may} make a decision harder",
        "it is {better|enough} to ask {one|one trusted} person for advice",
        "[topic] {is not always|isn't always} {helpful|a good idea}",
      ],
      ideas: [
        {
          gist: ["confusion", "contradicting advice"],
          claims: [
            "-{Too many|A lot of} opinions make you confused",
            "+Conflicting advice can leave a person more uncertain than before",
            "When everybody says {something different|different things}, it is {hard|difficult} to {choose|decide}",
          ],
          details: [
            "+Weighing ten contradictory opinions can take so long that the opportunity disappears",
            "-My {friends|cousins} {told|said} me {opposite|different} things and I {did not know|didn't know} what to do",
          ],
        },
        {
          gist: ["trust", "people who know you"],
          claims: [
            "-{One|A} person who knows you {well|very well} is {enough|better}",
            "+The most valuable advice often comes from someone who understands your situation deeply",
            "Not everyone {knows|understands} your {situation|life}",
          ],
          details: [
            "+Strangers may give generic advice that ignores your circumstances",
            "-My {mom|dad|older sister} {knows|understands} me better than anyone",
            "Some people give advice {without|before} {listening|thinking}",
          ],
        },
        {
          gist: ["privacy", "keeping things private"],
          claims: [
            "-Some problems are private",
            "+Sharing a personal problem with many people risks your privacy",
            "{When|If} you tell {everyone|many people}, your {secret|problem} {can|might} spread",
          ],
          details: [
            "+Rumours spread quickly in a school, and a private matter can become public overnight",
            "-{A friend|Someone} {can|could} tell {other people|everybody}",
          ],
        },
      ],
    },
  },
  examples: [
    "When I {had to choose|was choosing} {a high school|between two classes|a summer job}, I asked [relative], [friend] and {my teacher|my coach}",
    "[Friend] {only asked|listened only to} one {older cousin|person} and {made a mistake|it worked out well}",
    "+Before buying my first laptop, I compared the advice of three people and avoided an expensive mistake",
  ],
};

/** "Phones and driving": should drivers be allowed to use phones in any way while driving? */
export const PHONES_AND_DRIVING: PromptBank = {
  name: "Phones and driving",
  letter: false,
  topic: [
    "using a phone while driving",
    "texting and driving",
    "phone use while driving",
    "phone use behind the wheel",
  ],
  hooks: [
    "-{Many|A lot of} {accidents|car crashes} happen because of phones",
    "+In a fraction of a second, a glance at a screen can change several lives forever",
    "How many times have you seen a driver {looking at|typing on} a phone?",
    "+Distracted driving has become one of the leading causes of road deaths among young people",
  ],
  context: [
    "{Some|Many} states {have|made} laws {against|about} phone use {while driving|in the car}",
    "-Some people think it is {ok|okay} to use the phone {if it is hands-free|at a red light}",
    "+The debate concerns whether any phone use at all should be allowed behind the wheel",
  ],
  sides: {
    a: {
      position: [
        "drivers should {not use|never use} their phones {while driving|in any way}",
        "phone use {while driving|behind the wheel} should be {completely banned|illegal}",
        "[topic] is {too dangerous|very dangerous} and should {not be allowed|be stopped}",
      ],
      ideas: [
        {
          gist: ["distraction", "eyes off the road"],
          claims: [
            "-When you look at the phone you {don't|do not} look at the road",
            "+Reading a message takes a driver's eyes off the road for several seconds",
            "Phones {take|pull} the driver's {attention|eyes} away from {the road|driving}",
          ],
          details: [
            "+At highway speed, a car travels the length of a football field in the time it takes to read a text",
            "-A kid {can|could} run {into|on} the street {at any moment|very fast}",
            "Even {talking|hands-free calls} {can|may} {distract|take attention from} the driver",
          ],
        },
        {
          gist: ["accidents", "deaths and injuries"],
          claims: [
            "-Phones cause {many|a lot of} accidents",
            "+Thousands of people are injured every year in crashes involving a distracted driver",
            "Using a phone {makes|can make} a crash {much|far} more likely",
          ],
          details: [
            "[Relative] {was|got} {hit|in an accident} {because|when} {the other driver was texting|someone looked at a phone}",
            "+The victims are often pedestrians and cyclists who had no part in the driver's choice",
            "-{No message|No text} is more important than {a life|someone's life}",
          ],
        },
        {
          gist: ["new drivers", "young drivers"],
          claims: [
            "-Teenagers are {new|not good} drivers and {use|look at} their phones {a lot|all the time}",
            "+Young drivers combine limited experience with strong habits of constant phone use",
            "{New|Young} drivers {need|must give} {all their attention|full attention} to the road",
          ],
          details: [
            "+Many teenagers feel pressure to answer messages immediately",
            "-My friend {almost|nearly} crashed {the first week|when he started} driving",
          ],
        },
        {
          gist: ["easy alternatives", "waiting or pulling over"],
          claims: [
            "-You {can|could} wait {until you arrive|to answer}",
            "+There is almost always a safe alternative, such as pulling over or asking a passenger",
            "{Most|Almost all} messages {can|could} wait {a few minutes|until the driver stops}",
          ],
          details: [
            "+Phones now offer a driving mode that silences notifications automatically",
            "-If it is {urgent|important} you {stop|park} the car {first|and then call}",
          ],
        },
      ],
    },
    b: {
      position: [
        "drivers should be {allowed|able} to use phones {in a safe way|hands-free}",
        "a total ban on phones {while driving|in cars} {goes|would go} too far",
        "[topic] {is|can be} {okay|acceptable} if it is hands-free",
      ],
      ideas: [
        {
          gist: ["navigation", "GPS"],
          claims: [
            "-{Many|A lot of} drivers use the phone for {directions|GPS|the map}",
            "+Navigation apps help drivers plan routes and avoid dangerous traffic",
            "Phones {help|can help} drivers {find their way|get to new places}",
          ],
          details: [
            "+Without a map, a lost driver may be even more distracted while reading street signs",
            "-I {would|will} get lost without the map on my phone",
            "The phone {can|could} warn {you|drivers} about {accidents|traffic jams|road work} ahead",
          ],
        },
        {
          gist: ["emergencies", "calling for help"],
          claims: [
            "-In an emergency you {need|have} to call {someone|for help}",
            "+A phone can be essential in an emergency, for instance to report an accident",
            "Drivers {should|must} be able to {call|reach} {family|911} {in an emergency|if something happens}",
          ],
          details: [
            "+Parents may need to reach a teenage driver urgently",
            "-If your car breaks down at night you {need|want} your phone",
          ],
        },
        {
          gist: ["hands-free technology", "voice control"],
          claims: [
            "-{With|Using} hands-free you {don't|do not} touch the phone",
            "+Voice commands and car displays allow drivers to use a phone without looking away",
            "Hands-free {calls|devices} {are|seem} {much|a lot} {safer|less dangerous} than texting",
          ],
          details: [
            "+Talking on a hands-free phone is similar to talking with a passenger",
            "-{My|Our} car {reads|can read} the messages out loud",
          ],
        },
      ],
    },
  },
  examples: [
    "{Last year|Last summer|Once}, [relative] {saw|was behind} a driver {texting|on the phone} who {ran a red light|drifted into another lane}",
    "When I {was learning|learned} to drive, [relative] {made me|told me to} put my phone {in the back seat|in the glove box}",
    "+During my driving lessons, my instructor showed us a video of a crash caused by a single text message",
  ],
};

/** "Letter to employer": a letter asking a workplace for a job-shadowing or internship place. */
export const LETTER_TO_EMPLOYER: PromptBank = {
  name: "Letter to employer",
  letter: true,
  topic: [
    "an internship",
    "job shadowing",
    "a job-shadowing opportunity",
    "an internship opportunity",
  ],
  hooks: [
    "-My name is [name] and I am a student at [school]",
    "+I am writing to express my interest in [topic] at your organisation",
    "I am [name], a {tenth|eleventh|twelfth} grade student at [school]",
    "-I {want|would like} to {ask you|write to you} about [topic]",
  ],
  context: [
    "My school {has|offers} a program {where|in which} students {spend time at|visit} a workplace",
    "+Our school has partnered with local businesses so that students can explore possible careers",
    "-I {saw|heard about} your {company|business} {from my teacher|online|from a friend}",
  ],
  sides: {
    a: {
      position: [
        "I would like to {do an internship|job shadow|spend a few weeks} at your {hospital|clinic}",
        "{working|spending time} at your {hospital|clinic} would help me {prepare|get ready} for a career in medicine",
        "I {am interested in|want to learn more about} {nursing|medicine|health care}",
      ],
      ideas: [
        {
          gist: ["helping people", "caring for patients"],
          claims: [
            "-I {like|love} to help people",
            "+Caring for others has always motivated me, and medicine would let me do it every day",
            "I {want|would like} to {help|care for} {patients|sick people} {in the future|one day}",
          ],
          details: [
            "When [relative] was {in the hospital|sick}, the nurses {were very kind|helped us a lot}",
            "+I volunteer at a community centre where I assist elderly residents",
            "-I {take care of|help} my grandmother {every day|after school}",
          ],
        },
        {
          gist: ["learning science", "biology"],
          claims: [
            "-I am {good at|interested in} {biology|science}",
            "+My favourite subject is biology, and I would like to see how it is applied in real medicine",
            "{Science|Biology} {is|has always been} my {best|strongest} subject",
          ],
          details: [
            "+This year I earned the highest grade in my anatomy class",
            "-I {want|would like} to see {how doctors work|what doctors do every day}",
            "{Watching|Observing} your staff would show me {what|how} I {learn|study} in class {looks|works} in real life",
          ],
        },
        {
          gist: ["responsibility", "being reliable"],
          claims: [
            "-I am {responsible|a responsible person} and {I|I always} come on time",
            "+I am punctual, reliable and eager to follow instructions carefully",
            "My teachers {say|would say} that I am {hard-working|dependable}",
          ],
          details: [
            "+I understand that a hospital requires discretion and respect for patients' privacy",
            "-I {never|almost never} miss school",
            "I {can|could} {come|be available} {after school|on Saturdays|during the summer}",
          ],
        },
      ],
    },
    b: {
      position: [
        "I would like to {do an internship|job shadow|spend a few weeks} at your {company|software company}",
        "{working|spending time} at your company would help me {prepare|get ready} for a career in technology",
        "I {am interested in|want to learn more about} {programming|engineering|computers}",
      ],
      ideas: [
        {
          gist: ["computers", "programming"],
          claims: [
            "-I {like|love} computers and {games|technology}",
            "+I have been teaching myself to program for two years and want to see professional software development",
            "I {want|would like} to {learn|see} how {real|professional} programmers {work|build apps}",
          ],
          details: [
            "+Last year I built a small website for my cousin's bakery",
            "-I {fix|repair} the computers of my family {when they break|all the time}",
            "{Technology|The tech industry} {is|will be} {important|everywhere} in the future",
          ],
        },
        {
          gist: ["teamwork", "working with others"],
          claims: [
            "-I {work well|am good} with other people",
            "+I collaborate well in teams and communicate clearly with people of different backgrounds",
            "{Working|Being} in a team {is|has been} {one of my strengths|easy for me}",
          ],
          details: [
            "+In my robotics club, I coordinated a group of five students to finish our robot on time",
            "-I {help|helped} my classmates with {projects|their homework}",
          ],
        },
        {
          gist: ["future career", "college plans"],
          claims: [
            "-I want to {study|be} {an engineer|a programmer} {in college|one day}",
            "+I plan to study computer engineering, and this experience would confirm my choice",
            "[Topic] {would|could} help me {decide|choose} {what to study|my career}",
          ],
          details: [
            "+Seeing an office from the inside would help me understand the daily reality of the job",
            "-I {want|need} to know if I {like|would like} this {job|work}",
          ],
        },
      ],
    },
  },
  examples: [
    "{Last summer|Last year} I {helped|worked with} [relative] {at|in} {a family store|a small office} and {learned|discovered} that I {enjoy|like} {solving problems|talking to customers}",
    "[Friend] {did|completed} {an internship|job shadowing} {last year|in the spring} and {told me|said} it {helped with planning for the future|changed everything}",
    "+Volunteering at a summer camp taught me patience and how to stay calm under pressure",
  ],
  thesis: [
    "[Position]",
    "-I am writing {to you |}because [position]",
    "-I want to tell you that [position]",
    "+I am writing to let you know that [position]",
    "+I hope you will consider my request, because [position]",
  ],
  conclusions: [
    "-Thank you {for reading my letter|very much}",
    "-I hope you {say yes|accept me}",
    "Thank you for considering my request",
    "I look forward to hearing from you",
    "+I would be grateful for the opportunity to learn from your team",
    "+Thank you for your time; I would be honoured to contribute to your work",
  ],
};
