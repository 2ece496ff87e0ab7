/** Names for the synthetic borough: common in England and Wales, with the nicknames sources record. */
export const femaleNames = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Grace', 'Sophia', 'Emily', 'Lily', 'Freya', 'Ella', 'Charlotte',
  'Margaret', 'Elizabeth', 'Patricia', 'Susan', 'Deborah', 'Jennifer', 'Catherine', 'Rebecca', 'Victoria',
  'Samantha', 'Jessica', 'Abigail', 'Katherine', 'Alexandra', 'Amina', 'Fatima', 'Aisha', 'Priya', 'Chloe',
  'Megan', 'Hannah', 'Zainab', 'Joanne', 'Christine', 'Dorothy', 'Jacqueline', 'Kayleigh', 'Chidinma',
];
export const maleNames = [
  'Oliver', 'George', 'Harry', 'Jack', 'Noah', 'Leo', 'Arthur', 'Muhammad', 'Oscar', 'Charlie', 'Jacob',
  'Thomas', 'William', 'Robert', 'Richard', 'James', 'Michael', 'David', 'Christopher', 'Anthony', 'Edward',
  'Daniel', 'Matthew', 'Joseph', 'Benjamin', 'Alexander', 'Samuel', 'Nicholas', 'Stephen', 'Andrew', 'Kwame',
  'Tunde', 'Rajesh', 'Mohammed', 'Piotr', 'Tomasz', 'Kevin', 'Gary', 'Dean', 'Ibrahim',
];
export const familyNames = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
  'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis',
  'Parker', 'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson',
  'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson',
  'Simpson', 'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell', 'Webb', 'Rogers',
  'Gray', 'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer', 'Holmes', 'Mills',
  'Barnes', 'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins', 'Murray',
  'Dixon', 'Harvey', 'Okafor', 'Adeyemi', 'Mensah', 'Nowak', 'Kowalski', 'Ahmed', 'Rahman', 'Chowdhury',
  "O'Brien", 'McCarthy', 'Van Der Berg', 'Da Silva',
];
/** Formal name → forms a source may hold instead (nicknames and short forms). */
export const nicknames: Record<string, string[]> = {
  Robert: ['Bob', 'Rob', 'Bobby'],
  William: ['Bill', 'Will', 'Billy'],
  Richard: ['Rick', 'Dick', 'Richie'],
  James: ['Jim', 'Jimmy', 'Jamie'],
  Michael: ['Mike', 'Mick'],
  David: ['Dave'],
  Christopher: ['Chris'],
  Anthony: ['Tony'],
  Edward: ['Ed', 'Eddie', 'Ted'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Joseph: ['Joe'],
  Benjamin: ['Ben'],
  Alexander: ['Alex'],
  Samuel: ['Sam'],
  Nicholas: ['Nick'],
  Stephen: ['Steve'],
  Andrew: ['Andy', 'Drew'],
  Thomas: ['Tom', 'Tommy'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Elizabeth: ['Liz', 'Beth', 'Betty', 'Lizzie'],
  Patricia: ['Pat', 'Trish'],
  Susan: ['Sue', 'Susie'],
  Deborah: ['Debbie', 'Deb'],
  Jennifer: ['Jenny', 'Jen'],
  Catherine: ['Cathy', 'Kate'],
  Katherine: ['Kate', 'Katie', 'Kathy'],
  Rebecca: ['Becky', 'Becca'],
  Victoria: ['Vicky', 'Tori'],
  Samantha: ['Sam'],
  Jessica: ['Jess'],
  Abigail: ['Abby'],
  Alexandra: ['Alex', 'Sasha'],
  Christine: ['Chris', 'Chrissie'],
  Dorothy: ['Dot', 'Dottie'],
  Jacqueline: ['Jackie'],
  Mohammed: ['Mohammad', 'Mohamed'],
  Muhammad: ['Mohammed', 'Mohamed'],
};
export const streetNames = [
  'Rye Lane', 'Peckham Road', 'Queens Road', 'Camberwell Grove', 'Denmark Hill', 'Lordship Lane', 'Grove Vale',
  'Bellenden Road', 'Choumert Road', 'Consort Road', 'Evelina Road', 'Nunhead Lane', 'Ivydale Road',
  'Cheltenham Road', 'Barry Road', 'Upland Road', 'Crystal Palace Road', 'Underhill Road', 'Friern Road',
  'Albany Road', 'East Street', 'Walworth Road', 'Old Kent Road', 'Rodney Road', 'Trafalgar Avenue',
  'Southampton Way', 'Wells Way', 'Commercial Way', 'Sumner Road', 'Meeting House Lane',
];
export const blockNames = ['Tennyson House', 'Brontë Court', 'Wordsworth House', 'Keats House', 'Shelley Court', 'Blake House', 'Hardy Court', 'Eliot House'];
/** Outward codes of the fictional borough's districts, with their localities. */
export const districts = [
  { outward: 'SE15', locality: 'Peckham' },
  { outward: 'SE5', locality: 'Camberwell' },
  { outward: 'SE22', locality: 'East Dulwich' },
  { outward: 'SE17', locality: 'Walworth' },
  { outward: 'SE16', locality: 'Rotherhithe' },
];
export const careTeams = {
  adults: ['Adult Social Care North', 'Adult Social Care South', 'Hospital Discharge Team', 'Learning Disabilities Team'],
  children: ['Children in Need East', 'Children in Need West', 'Child Protection Team', 'Early Help'],
};
