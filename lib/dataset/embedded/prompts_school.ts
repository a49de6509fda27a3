/**
 * Sentence banks for the school-policy prompts of the embedded data set ("Online learning",
 * "Four-day school week", "Extracurricular activities", "Summer projects").
 *
 * All text here was written for this project. Templates use the syntax of `template.ts`; a leading
 * `+` marks an advanced-register variant, a leading `-` a plain one (see `prompt_bank.ts`).
 *
 * @module
 */
import type { PromptBank } from "./prompt_bank.ts";

/** "Online learning": should students be allowed to attend classes from home? */
export const ONLINE_LEARNING: PromptBank = {
  name: "Online learning",
  letter: false,
  topic: [
    "online learning",
    "taking classes online",
    "distance learning",
    "learning from home",
    "virtual school",
  ],
  hooks: [
    "+Over the past few years, the classroom has moved from a building to a {screen|laptop}",
    "-A lot of {students|kids} today {take|have} classes on the computer",
    "Imagine waking up ten minutes before class and {still being on time|never missing the bus}",
    "+Technology has transformed almost every part of daily life, and education is no exception",
    "Some schools now let students {attend classes|study} from home {through video calls|online}",
    "-School is {different|changing} now because of the {internet|computer}",
  ],
  context: [
    "Some schools {are thinking about|have started} offering [topic] to {all|their} students",
    "+Many districts are debating whether [topic] should become a permanent option",
    "-My school {has|had} online classes {last year|during the winter}",
    "The question is whether [students] really learn {as much|as well} at home as in a classroom",
  ],
  sides: {
    a: {
      position: [
        "[students] would benefit from {being able to attend|attending} classes from home",
        "[topic] is a {good|great} option for [students]",
        "schools should {let|allow} students {take classes|learn} {online|from home}",
      ],
      ideas: [
        {
          gist: ["saving time", "no long commute"],
          claims: [
            "-Students {save|can save} a lot of time {when|if} they {do not have to|don't have to} go to school",
            "+Attending classes from home eliminates the daily commute, which gives students hours back every week",
            "One {big|important} advantage of [topic] is that nobody {has to|needs to} {ride the bus|travel to school}",
          ],
          details: [
            "Some students live {far|very far} from school and {spend|waste} {an hour|almost two hours} on the bus every day",
            "That time could be used for {homework|sleep|studying|helping their family}",
            "+Instead of sitting in traffic, a student could review notes or finish an assignment",
            "-When you are home you can {sleep more|eat breakfast} and {be ready|feel good} for class",
            "+Less travel also means families spend less money on gas and bus passes",
            "Students who are {rested|not tired} pay {more attention|better attention} in class",
          ],
        },
        {
          gist: ["learning at their own pace", "flexibility"],
          claims: [
            "-With online classes you can learn {at your own speed|when you want}",
            "+Online courses allow each student to progress at a pace that matches their ability",
            "[Topic] gives students {more control over|flexibility in} how they {study|learn}",
          ],
          details: [
            "If a student does not understand a lesson, they can {watch|replay} the video {again|as many times as they need}",
            "+Students who grasp a concept quickly are not forced to wait for the rest of the class",
            "-Some kids are slow and some kids are fast, and at home {nobody|no one} rushes you",
            "A student who works {after school|in the afternoon} can {do|finish} the lessons {at night|in the evening}",
            "+This flexibility is especially valuable for students with jobs or family responsibilities",
          ],
        },
        {
          gist: ["fewer distractions", "a calmer place to work"],
          claims: [
            "-At home there is less noise and fewer people {bothering|talking to} you",
            "+A quiet home environment can reduce the distractions that interrupt learning in a crowded classroom",
            "Some students {focus|concentrate} better when they are {alone|in their own room}",
          ],
          details: [
            "In a classroom there is always {someone talking|a student joking|a phone buzzing}",
            "+Shy students may also feel more comfortable asking questions in a private message",
            "-Nobody {makes fun of you|laughs at you} when you answer wrong at home",
            "+Students who experience bullying can learn without the anxiety of facing their classmates",
          ],
        },
        {
          gist: ["safety and health", "staying healthy"],
          claims: [
            "-Online school is {safer|more safe} {for students|when people are sick}",
            "+Distance learning protects students and teachers when illness spreads through a community",
            "[Topic] lets students keep learning even when they {are sick|cannot leave the house}",
          ],
          details: [
            "When a student has a cold they can still {join|attend} class without {infecting|getting} anyone {else |}sick",
            "+During a flu season, an entire school can continue its lessons without closing",
            "-If it snows {a lot|too much} the school does not have to close",
            "Students with long illnesses do not {fall behind|miss months of work}",
          ],
        },
        {
          gist: ["technology skills", "preparing for the future"],
          claims: [
            "-Students learn how to use the computer {better|more}",
            "+Online learning develops digital skills that students will need in college and in the workplace",
            "Taking classes online {prepares|gets} students {ready |}for {jobs|college} that use technology",
          ],
          details: [
            "Many {jobs|companies} today {have|hold} meetings {online|by video}",
            "+Managing deadlines without a teacher in the room builds independence and self-discipline",
            "-You have to learn to {send emails|upload homework|use programs} by yourself",
            "Colleges also {offer|have} many courses that are {only online|online}",
          ],
        },
      ],
    },
    b: {
      position: [
        "[students] would not benefit from {attending|taking} classes from home",
        "[topic] is {not a good idea|a bad idea} for most [students]",
        "students {should|need to} {go to|attend} school in person",
      ],
      ideas: [
        {
          gist: ["face-to-face help", "teacher support"],
          claims: [
            "-At school the teacher can help you {right away|when you need it}",
            "+In a classroom, teachers can notice confusion immediately and respond before a student falls behind",
            "Students {need|learn better with} a teacher who {is right there|can see them}",
          ],
          details: [
            "On a video call it is hard to {ask|raise your hand for} a question",
            "+A teacher can read the expressions on students' faces and adjust an explanation",
            "-Sometimes the internet is slow and you {can't hear|cannot understand} the teacher",
            "Some {subjects|classes} like [subject] {are|get} much harder without someone to explain them",
          ],
        },
        {
          gist: ["distractions at home", "lack of focus"],
          claims: [
            "-At home there are {too many|a lot of} distractions like {the TV|video games|your phone}",
            "+Home is full of temptations that make it difficult to concentrate on schoolwork",
            "Many students {cannot|can't} focus when {nobody is watching them|they are at home}",
          ],
          details: [
            "{My little brother|My sister|My dog} {always|usually} {makes noise|interrupts me} when I try to study",
            "+Without a fixed schedule, many students postpone assignments until the last minute",
            "-It is easy to {sleep|play games} instead of {doing|watching} the class",
            "Some students {turn off|never turn on} their camera and {do something else|leave the room}",
          ],
        },
        {
          gist: ["social skills", "friendship"],
          claims: [
            "-Going to school helps students make friends",
            "+School is where adolescents develop the social skills they will rely on as adults",
            "Students {miss|lose} {important|valuable} time with their friends when they learn from home",
          ],
          details: [
            "At school you {talk|work} with {other people|classmates} every day",
            "+Group projects teach students to negotiate, compromise and share responsibility",
            "-If you stay home all {the |}day you {feel|get} lonely",
            "+Isolation can harm the mental health of teenagers who already feel anxious",
          ],
        },
        {
          gist: ["technology problems", "unequal access"],
          claims: [
            "-Not every {family|student} has a good computer or internet",
            "+Distance learning assumes that every household has reliable devices and a fast connection, which is not true",
            "[Topic] {is|can be} unfair to families who {cannot afford|don't have} {good internet|a laptop}",
          ],
          details: [
            "Some families have {one computer|one phone} for {three|four|five} children",
            "+When the connection drops during a test, the student may lose points through no fault of their own",
            "-My {cousin|friend} {could not|couldn't} {connect|join} to the class {many times|every week}",
            "Schools would have to spend {a lot of money|millions of dollars} on laptops",
          ],
        },
        {
          gist: ["hands-on activities", "labs and sports"],
          claims: [
            "-Some things you {can only learn|only learn} at school like {sports|labs|music}",
            "+Hands-on activities such as science experiments cannot be fully replaced by a screen",
            "Students {lose|miss} activities that {only happen|happen} in a school building",
          ],
          details: [
            "In [subject] class we {do|did} experiments {with|using} real {equipment|materials}",
            "+Athletics, band and theatre all depend on students being physically together",
            "-Watching a video of an experiment is not the same as doing it",
          ],
        },
      ],
    },
  },
  examples: [
    "{Last year|Two years ago}, [relative] took {an online|a virtual} [subject] class and {said|told me} it was {harder|easier} than {expected|a normal class}",
    "When my school {closed|switched to online classes} for {two weeks|a month}, I {noticed|learned} that {I worked better alone|I missed my friends|I needed my teacher}",
    "[Friend] {studies|studied} online {because of the distance|because of a job after school} and the grades {went up|went down}",
    "+During my first online semester, I realised how much my learning depended on {routine|my classmates|the teacher}",
  ],
};

/** "Four-day school week": should schools switch to four longer days? */
export const FOUR_DAY_WEEK: PromptBank = {
  name: "Four-day school week",
  letter: false,
  topic: [
    "a four-day school week",
    "the four-day school week",
    "a four day week",
    "going to school four days a week",
  ],
  hooks: [
    "-Everybody {likes|loves} a long weekend",
    "+Many districts are reconsidering the traditional five-day week in order to save money and improve attendance",
    "What would students do with an extra day off every week?",
    "-Some schools {are changing|want to change} the school week",
    "+The structure of the school week has barely changed in a century, yet the lives of students have",
  ],
  context: [
    "Some schools {have decided|are planning} to {add|put} {one|two} more hours to each day and {close|have no class} on {Friday|Monday}",
    "+Under this plan, students would attend longer days from Monday to Thursday",
    "-The idea is that the days {are|will be} longer but there is {one day less|no school on Friday}",
  ],
  sides: {
    a: {
      position: [
        "{schools should adopt|my school should switch to} [topic]",
        "[topic] would be {good|better} for students and teachers",
        "[students] would {do better|be happier} with [topic]",
      ],
      ideas: [
        {
          gist: ["more rest", "less stress"],
          claims: [
            "-Students {will|would} be less tired {with|if they have} three days to rest",
            "+A three-day weekend gives students time to recover from the stress of a demanding week",
            "An extra day off {helps|lets} students {relax|rest} and {come back|return} ready to learn",
          ],
          details: [
            "Many students {sleep|get} only {five|six} hours on school nights",
            "+Research on adolescents suggests that chronic tiredness lowers concentration and memory",
            "-When I am {tired|stressed} I {can't|cannot} learn anything",
            "+Students who feel rested are more likely to participate and less likely to skip class",
          ],
        },
        {
          gist: ["time for appointments and work", "free time for other things"],
          claims: [
            "-On the free day students can go to the doctor or work",
            "+The free day could be used for appointments, part-time jobs or family obligations that now cause absences",
            "Students {would|could} {miss|skip} less school because {they do|they could do} {errands|appointments} on the extra day",
          ],
          details: [
            "{Right now|Today} many students miss class for {dentist|doctor} appointments",
            "+Older students could earn money at a part-time job without sacrificing their homework",
            "-Some students have to {take care of|watch} their little brothers and sisters",
            "Families could {plan|take} {short trips|visits to relatives} without missing class",
          ],
        },
        {
          gist: ["saving money", "lower costs"],
          claims: [
            "-The school {saves|can save} money {when|if} it is closed one day",
            "+Closing buildings one day a week would substantially reduce costs for transportation, heating and electricity",
            "[Topic] {would save|saves} {the district|schools} {a lot of|a large amount of} money",
          ],
          details: [
            "Buses do not {have to|need to} run {on the fifth day|on Friday}",
            "+The savings could be invested in teachers' salaries, new books or technology",
            "-The school can {buy|get} {new computers|better food} with the money",
          ],
        },
        {
          gist: ["longer classes", "deeper learning"],
          claims: [
            "-Longer classes give more time to {finish|understand} the work",
            "+Longer class periods allow teachers to explore topics in depth rather than rushing",
            "With longer days, teachers {have|get} time for {projects|labs|discussions}",
          ],
          details: [
            "In a short period the bell rings {just when|right when} {we start|the lesson gets interesting}",
            "+Science labs in particular require setup time that short periods do not allow",
            "-The teacher doesn't have to hurry",
          ],
        },
        {
          gist: ["happier teachers", "teacher planning time"],
          claims: [
            "-Teachers {also need|need} rest {too|as well}",
            "+A four-day schedule could also help schools attract and keep good teachers",
            "Teachers could use the extra day to {plan|grade|prepare} {lessons|better lessons}",
          ],
          details: [
            "+Teacher burnout is a serious problem, and a better schedule could reduce it",
            "-When teachers are happy the class is {more fun|better}",
            "Teachers {could|would} have time for training {without|instead of} {substitute teachers|missing class}",
          ],
        },
      ],
    },
    b: {
      position: [
        "schools should {keep|stay with} the five-day week",
        "[topic] is {not a good idea|a bad idea}",
        "[topic] would {hurt|not help} [students]",
      ],
      ideas: [
        {
          gist: ["long tiring days", "exhaustion"],
          claims: [
            "-The days would be too long and students {would|will} be {tired|bored}",
            "+Extending each day would exhaust students, and attention fades in the final hours",
            "Longer days {make|would make} it {harder|difficult} to {focus|pay attention}",
          ],
          details: [
            "By the {last|seventh} period most students {already |}{can't|cannot} concentrate",
            "+Younger students especially struggle to stay attentive for such long stretches",
            "-If school ends at five there is no time for homework",
            "Students in sports would {get home|arrive home} {very late|after dark}",
          ],
        },
        {
          gist: ["childcare problems", "working parents"],
          claims: [
            "-Parents have to work on the day off and the kids stay alone",
            "+Working parents would have to find and pay for childcare on the fifth day",
            "{Many|Some} families {cannot|can't} {watch|take care of} their children {on the extra day|every Friday}",
          ],
          details: [
            "+For low-income families, an extra day of childcare is a real financial burden",
            "-Little kids cannot stay home alone",
            "Some students {rely on|depend on} school for {breakfast and lunch|meals}",
          ],
        },
        {
          gist: ["forgetting material", "learning loss"],
          claims: [
            "-In three days students forget what they learned",
            "+A long weekend every week may widen the gap in which students forget what they have learned",
            "Students {might|would} {lose|forget} {more|a lot} {during|over} the longer weekend",
          ],
          details: [
            "Even after a normal weekend it takes time to {remember|get back into} the lesson",
            "+Teachers would need to spend Mondays reviewing instead of introducing new material",
            "-I always forget {my math|everything} after {vacation|a holiday}",
          ],
        },
        {
          gist: ["less activity time", "fewer activities"],
          claims: [
            "-There will be no time for {sports|clubs} after school",
            "+After-school activities would be squeezed into the evening or eliminated entirely",
            "Longer days would {leave|give} {less|little} time for {clubs|sports|jobs}",
          ],
          details: [
            "+Coaches would have to schedule practices late, when students are already exhausted",
            "-I play {soccer|basketball} and practice {would|will} end too late",
            "Students who work {after school|in the evening} {would|could} lose {hours|their jobs}",
          ],
        },
      ],
    },
  },
  examples: [
    "[Friend] {goes to|moved to} a school with a four-day week and {says|said} {the Fridays are great|the days feel endless}",
    "{Last year|Once} my school had {a short week|a holiday week} and I {noticed|felt} that {I was more rested|I forgot a lot}",
    "[Relative] works {on Fridays|every day}, so {my little brother|my sister} would {be alone|need a babysitter} on the day off",
    "+When I tried studying for four hours straight before an exam, I understood how quickly focus disappears",
  ],
};

/** "Extracurricular activities": should every student have to take part in one? */
export const EXTRACURRICULAR: PromptBank = {
  name: "Extracurricular activities",
  letter: false,
  topic: [
    "extracurricular activities",
    "after-school activities",
    "clubs and sports",
    "an extracurricular activity",
  ],
  hooks: [
    "-{Sports|Clubs} are {fun|a big part of school} for {many|a lot of} students",
    "+Some of the most important lessons of high school are learned outside the classroom",
    "What {do|should} students do after the last bell rings?",
    "+A principal has proposed that every student must participate in at least one extracurricular activity",
  ],
  context: [
    "{My|Our} principal {wants|decided} {all students|every student} to {do|join} at least one {activity|club or sport}",
    "-The activities could be sports, {the |}yearbook, {a |}club or {the |}student council",
    "+Supporters say activities build character, while critics worry about students' limited time",
  ],
  sides: {
    a: {
      position: [
        "every student {should|must} {take part in|join} {at least one activity|an extracurricular activity}",
        "requiring [topic] is a {good|great|smart} idea",
        "taking part in [topic] helps students {grow|succeed}",
      ],
      ideas: [
        {
          gist: ["making friends", "belonging"],
          claims: [
            "-In a club you {meet|find} new friends",
            "+Activities give students a sense of belonging that makes school feel like a community",
            "Joining {a team|a club} {help|helps} students {meet|connect with} people {with the same interests|outside their classes}",
          ],
          details: [
            "New students {especially|often} feel lonely {in the first months|at first}",
            "+Shared goals, like winning a game or finishing a play, create lasting friendships",
            "-When you {play|are} on a team you are never alone",
          ],
        },
        {
          gist: ["new skills", "discovering talents"],
          claims: [
            "-Students {can|could} learn new things {like|for example} {music|cooking|coding}",
            "+Extracurricular activities expose students to skills they would never encounter in regular classes",
            "Some students {discover|find} a {talent|passion} {they did not know they had|in an activity}",
          ],
          details: [
            "{Robotics|The debate club|The school newspaper} teaches {teamwork|public speaking|writing} in a practical way",
            "+A student who joins the drama club may discover a confidence that transforms their academic work",
            "-Maybe you are good at {art|chess|singing} and you never knew",
          ],
        },
        {
          gist: ["college and jobs", "future applications"],
          claims: [
            "-Colleges {like|want} students who do activities",
            "+Admissions officers and employers value evidence of commitment and leadership outside the classroom",
            "Activities {look good|are important} on {a college application|a resume}",
          ],
          details: [
            "+Leading a club demonstrates responsibility in a way that grades alone cannot",
            "-If you {are|were} the captain of the team {it looks|that looks} {good|really good}",
            "{Many|Some} scholarships {are given|go} to students {with|who have} {activities|volunteer hours}",
          ],
        },
        {
          gist: ["staying out of trouble", "healthy habits"],
          claims: [
            "-Activities keep kids {busy and away from|away from} {bad things|the street}",
            "+Structured activities reduce the unsupervised hours in which teenagers are most likely to make poor choices",
            "Students in {sports|clubs} {spend|have} less time {on their phones|doing nothing}",
          ],
          details: [
            "+Physical activities also improve health and reduce stress",
            "-Without activities {a lot of|many} students just {play video games|sleep} after school",
            "Coaches and club leaders {can be|are often} {good role models|mentors}",
          ],
        },
      ],
    },
    b: {
      position: [
        "students should {choose|decide} for themselves",
        "requiring [topic] is {not fair|a bad idea}",
        "the principal should not force students to join {an activity|a club or sport}",
      ],
      ideas: [
        {
          gist: ["lack of time", "homework and jobs"],
          claims: [
            "-{Many|A lot of} students {already have|have} {too much|a lot of} homework",
            "+Many students already struggle to balance demanding courses, jobs and family duties",
            "Some students {need|have to use} their afternoons {to work|for a job|for family}",
          ],
          details: [
            "+For a student who supports their family financially, a mandatory club could mean losing income",
            "-{My friend|My cousin} works after school to help the family",
            "Some students {take care of|babysit} {younger siblings|their grandparents} after school",
          ],
        },
        {
          gist: ["forced participation", "lack of interest"],
          claims: [
            "-If you force students they {will not|won't} {enjoy|like} it",
            "+Compulsory participation undermines the genuine motivation that makes activities valuable",
            "Students who {are forced|have to} join {often|usually} {do not try|don't try} {hard|their best}",
          ],
          details: [
            "+A reluctant member can lower the morale of an entire team",
            "-Some people {just|really} {don't|do not} like sports",
            "{An activity|A club} is {supposed to be|meant to be} {fun|a choice}",
          ],
        },
        {
          gist: ["cost", "money problems"],
          claims: [
            "-Some activities cost money {for uniforms|for trips|for equipment}",
            "+Fees, uniforms and travel expenses would place an unfair burden on families with limited means",
            "Not every family {can|is able to} pay for {sports equipment|club trips}",
          ],
          details: [
            "{Soccer shoes|A musical instrument|A band uniform} can cost {a lot|hundreds of dollars}",
            "+Schools would need to subsidise these costs or risk excluding poorer students",
            "-Parents {already|will} pay for {a lot of|many} things",
          ],
        },
        {
          gist: ["stress and grades", "academic focus"],
          claims: [
            "-More activities means more stress",
            "+Adding another obligation could harm both students' grades and their mental health",
            "Students {should|need to} focus on their classes first",
          ],
          details: [
            "+Sleep deprivation is already common among high school students",
            "-When I am {too busy|busy} my grades go down",
            "Some students {need|use} the time {to study|for tutoring} {in|for} [subject]",
          ],
        },
      ],
    },
  },
  examples: [
    "{When I was in {eighth|ninth} grade|Last year}, I joined {the soccer team|the robotics club|the school choir} and {made|found} {my best friends|new friends}",
    "[Friend] {had to quit|left} {the band|the team} {because|since} the family needed help and there was a job at {a restaurant|a store}",
    "[Relative] {told me|always says} that {the debate team|playing baseball} {taught|gave} {everyone on it|the players} {public speaking|discipline}",
    "+Through volunteering at the library club, I learned to organise events and speak to adults with confidence",
  ],
};

/** "Summer projects": should summer projects be teacher-designed or student-designed? */
export const SUMMER_PROJECTS: PromptBank = {
  name: "Summer projects",
  letter: false,
  topic: [
    "summer projects",
    "a summer project",
    "summer assignments",
    "the summer project",
  ],
  hooks: [
    "-Summer is {the best time|a time} {of the year|for students to rest}",
    "+The long summer break can either erode students' knowledge or become a time of discovery",
    "Should a summer project be {planned|designed} by the teacher or by the student?",
    "+Educators have long worried about the summer slide, the loss of skills during vacation",
  ],
  context: [
    "Some schools {require|ask} students to {do|complete} a project {over|during} the summer",
    "-The question is {who|whom} {should|will} design the project",
    "+The debate is whether teachers or students should decide what these projects contain",
  ],
  sides: {
    a: {
      position: [
        "summer projects should be {student-designed|designed by students}",
        "students {should|must be able to} {choose|design} their own {summer |}projects",
        "student-designed projects {are|would be} better",
      ],
      ideas: [
        {
          gist: ["motivation", "personal interest"],
          claims: [
            "-Students {work|try} harder when they {choose|pick} {the topic|what they like}",
            "+Choosing their own topic gives students a genuine reason to invest effort",
            "A project about something you {love|care about} {never feels|does not feel} like homework",
          ],
          details: [
            "+Motivation is one of the strongest predictors of how much a student actually learns",
            "-I would do a project about {soccer|music|cars|animals} and I would {like|enjoy} it",
            "When students {are bored|don't care}, they {copy|rush} the work {at the last minute|the night before}",
          ],
        },
        {
          gist: ["creativity", "independence"],
          claims: [
            "-Students can be {creative|more creative}",
            "+Designing a project teaches students to plan, research and solve problems independently",
            "Student-designed projects {build|develop} {creativity|independence}",
          ],
          details: [
            "+In college and at work, nobody hands out step-by-step instructions for every task",
            "-You {can|could} make a video, a {poster|model|website} or anything you want",
            "Students {learn|have} to {manage their time|set goals} without {a teacher|someone} telling them",
          ],
        },
        {
          gist: ["different learning styles", "showing strengths"],
          claims: [
            "-Not everybody learns the same way",
            "+Student choice lets each learner demonstrate knowledge in the format that suits them best",
            "Some students are better at {drawing|building|writing} than {at tests|at essays}",
          ],
          details: [
            "+A student with strong visual skills might produce an infographic instead of a report",
            "-My {brother|friend} hates writing but {he is|is} {really good|amazing} at building things",
          ],
        },
      ],
    },
    b: {
      position: [
        "summer projects should be {teacher-designed|designed by teachers}",
        "teachers {should|need to} {design|plan} the summer projects",
        "teacher-designed projects {are|would be} {better|more useful}",
      ],
      ideas: [
        {
          gist: ["clear goals", "learning the right material"],
          claims: [
            "-Teachers know what students need to learn",
            "+Teachers can design projects that reinforce the exact skills required for the next school year",
            "A teacher-designed project {makes sure|ensures} students {practice|review} {important|the right} {skills|material}",
          ],
          details: [
            "+Without guidance, students might choose topics that have little to do with the curriculum",
            "-If students choose, they will pick something {too easy|easy}",
            "A teacher {can|could} connect the project to {next year's|the next} [subject] class",
          ],
        },
        {
          gist: ["fair grading", "equal standards"],
          claims: [
            "-It is {easier|more fair} to grade the same project",
            "+A common assignment makes it possible to grade every student by the same standard",
            "When everybody does the same project, grading {is|becomes} {fair|fairer}",
          ],
          details: [
            "+Comparing a poster with a twenty-page report is nearly impossible",
            "-Some students {would|will} do {very little|almost nothing} and call it a project",
          ],
        },
        {
          gist: ["clear instructions", "less confusion"],
          claims: [
            "-{Many|A lot of} students {don't|do not} know {what to do|how to start}",
            "+Clear instructions reduce the anxiety that many students feel when facing an open-ended task",
            "Students {are|feel} less {confused|lost} {with|when they have} {clear|step-by-step} instructions",
          ],
          details: [
            "+Over the summer, students cannot easily ask a teacher for help",
            "-I would waste {all|half of} the summer just {choosing|thinking of} a topic",
            "{Younger|Some} students {need|want} {structure|a plan} to {finish|do} the work",
          ],
        },
      ],
    },
  },
  examples: [
    "{Last summer|Two summers ago} I {had to|chose to} {make a project about|research} {the ocean|my city's history|climate change} and {I learned a lot|it was boring}",
    "[Friend] {designed|built} {a small garden|a model bridge|a website} for a summer project and {got|received} {a good grade|an award}",
    "+When my teacher gave us a detailed summer reading guide, I finished the work early and understood every chapter",
  ],
};
