package flusso

// Names for Genera: common Italian first names of several generations, and
// surnames from all over Italy with many typical of the Bologna area, so
// that the synthetic households look like those an Ambito of the province
// of Bologna receives; and, for households born abroad, names of the
// largest foreign communities among the beneficiaries. Accents and
// apostrophes are kept on purpose: they exercise the codice fiscale and
// UTF-8.

// nomiMaschili are Italian male first names.
var nomiMaschili = []string{
	"Achille", "Adriano", "Agostino", "Alberto", "Aldo", "Alessandro", "Alessio", "Alfredo", "Amedeo",
	"Amerigo", "Andrea", "Angelo", "Antonio", "Arturo", "Attilio", "Aurelio", "Bartolomeo", "Beniamino",
	"Biagio", "Brando", "Bruno", "Calogero", "Carlo", "Carmine", "Cataldo", "Cesare", "Christian", "Ciriaco",
	"Ciro", "Claudio", "Corrado", "Cosimo", "Costantino", "Cristian", "Cristiano", "Damiano", "Daniele",
	"Dante", "Dario", "Davide", "Denis", "Diego", "Dino", "Domenico", "Duilio", "Edoardo", "Egidio", "Elia",
	"Elio", "Elvio", "Emanuele", "Emidio", "Emilio", "Enea", "Ennio", "Enrico", "Enzo", "Ernesto", "Ettore",
	"Eugenio", "Ezio", "Fabio", "Fabrizio", "Fausto", "Federico", "Felice", "Ferdinando", "Fernando", "Filippo",
	"Fiorenzo", "Flavio", "Francesco", "Franco", "Fulvio", "Gabriele", "Gaetano", "Gennaro", "Gerardo",
	"Giacomo", "Giancarlo", "Gianfranco", "Gianluca", "Gianni", "Gilberto", "Gino", "Gioele", "Giordano",
	"Giorgio", "Giosuè", "Giovanni", "Giuliano", "Giulio", "Giuseppe", "Graziano", "Gregorio", "Guido",
	"Ignazio", "Innocenzo", "Italo", "Ivan", "Ivano", "Jacopo", "Kevin", "Lazzaro", "Leandro", "Leonardo",
	"Leone", "Leopoldo", "Liam", "Lino", "Livio", "Lorenzo", "Loris", "Luca", "Luciano", "Lucio", "Luigi",
	"Luigino", "Manlio", "Manuel", "Marcello", "Marco", "Mariano", "Marino", "Mario", "Massimiliano", "Massimo",
	"Matteo", "Mattia", "Maurizio", "Mauro", "Michele", "Mirco", "Mirko", "Moreno", "Natale", "Nazzareno",
	"Nello", "Nevio", "Niccolò", "Nicola", "Nicolò", "Noah", "Nunzio", "Omar", "Orazio", "Oreste", "Oscar",
	"Osvaldo", "Ottavio", "Paolo", "Pasquale", "Patrick", "Patrizio", "Pellegrino", "Pierluigi", "Piero",
	"Pietro", "Primo", "Quinto", "Raffaele", "Raimondo", "Raoul", "Remo", "Renato", "Renzo", "Riccardo",
	"Rinaldo", "Roberto", "Rocco", "Rodolfo", "Rolando", "Romano", "Romeo", "Rosario", "Ruggero", "Salvatore",
	"Samuel", "Samuele", "Sandro", "Sauro", "Saverio", "Sebastiano", "Secondo", "Sergio", "Settimo", "Severino",
	"Silvio", "Simone", "Stefano", "Taddeo", "Teodoro", "Terenzio", "Thomas", "Tito", "Tiziano", "Tommaso",
	"Tonino", "Tullio", "Ubaldo", "Ugo", "Umberto", "Valentino", "Valerio", "Valter", "Vasco", "Vincenzo",
	"Vinicio", "Virgilio", "Vito", "Vittorio", "Walter", "Yuri", "Zeno",
}

// nomiFemminili are Italian female first names.
var nomiFemminili = []string{
	"Ada", "Adele", "Adriana", "Agata", "Agnese", "Alba", "Albertina", "Alda", "Alessandra", "Alessia", "Alice",
	"Amalia", "Ambra", "Angela", "Angelica", "Anita", "Anna", "Annalisa", "Antonella", "Antonietta", "Arianna",
	"Asia", "Assunta", "Aurora", "Azzurra", "Barbara", "Beatrice", "Benedetta", "Bianca", "Bruna", "Brunella",
	"Camilla", "Carla", "Carlotta", "Carmela", "Carmen", "Carolina", "Caterina", "Cecilia", "Celeste", "Chiara",
	"Cinzia", "Clara", "Claudia", "Concetta", "Costanza", "Cristel", "Cristina", "Daniela", "Debora", "Denise",
	"Desirée", "Diana", "Donatella", "Dora", "Edda", "Elena", "Eleonora", "Elisa", "Elisabetta", "Elvira",
	"Emanuela", "Emily", "Emma", "Enrica", "Erica", "Erminia", "Ester", "Eva", "Fabiola", "Fatima", "Federica",
	"Fernanda", "Fiammetta", "Filomena", "Fiorella", "Flavia", "Franca", "Francesca", "Gabriella", "Gaia",
	"Gelsomina", "Gemma", "Germana", "Giada", "Gianna", "Gilda", "Gina", "Ginevra", "Giorgia", "Giovanna",
	"Giulia", "Giuliana", "Giuseppina", "Gloria", "Grazia", "Greta", "Ida", "Ilaria", "Immacolata", "Ines",
	"Iolanda", "Irene", "Isabella", "Ivana", "Jessica", "Lara", "Laura", "Lavinia", "Lea", "Leila", "Letizia",
	"Lia", "Licia", "Lidia", "Liliana", "Linda", "Lisa", "Livia", "Loredana", "Lorena", "Lorenza", "Luana",
	"Lucia", "Luciana", "Lucrezia", "Luisa", "Maddalena", "Mafalda", "Manuela", "Mara", "Marcella",
	"Margherita", "Maria", "Marianna", "Marina", "Marisa", "Marta", "Martina", "Matilde", "Melissa", "Mia",
	"Michela", "Milena", "Mirella", "Miriam", "Monica", "Nadia", "Natalia", "Nella", "Nicole", "Nicoletta",
	"Nina", "Nives", "Noemi", "Norma", "Nunzia", "Olga", "Orietta", "Ornella", "Pamela", "Paola", "Paolina",
	"Patrizia", "Penelope", "Piera", "Pierina", "Pina", "Prisca", "Priscilla", "Rachele", "Raffaella",
	"Rebecca", "Regina", "Renata", "Rina", "Rita", "Roberta", "Romina", "Rosa", "Rosalba", "Rosanna", "Rosaria",
	"Rosella", "Rossella", "Sabina", "Sabrina", "Samanta", "Sandra", "Santina", "Sara", "Selene", "Serena",
	"Silvana", "Silvia", "Simona", "Sofia", "Sonia", "Stefania", "Sveva", "Tatiana", "Tecla", "Teresa",
	"Tiziana", "Tosca", "Valentina", "Vanessa", "Vera", "Veronica", "Vincenza", "Viola", "Virginia", "Vittoria",
	"Viviana", "Wanda", "Zaira",
}

// cognomi are Italian surnames.
var cognomi = []string{
	"Abate", "Aiello", "Albanese", "Alvisi", "Amato", "Amodio", "Amoroso", "Arena", "Armaroli", "Baldazzi",
	"Barbieri", "Barone", "Bartolini", "Basile", "Bassi", "Battaglia", "Bellini", "Bellomo", "Benassi",
	"Benedetti", "Bergonzoni", "Bernardi", "Bernardoni", "Bevilacqua", "Biagi", "Bianchi", "Bianco",
	"Bolognesi", "Bonanno", "Bonetti", "Bonfiglioli", "Bonora", "Borghi", "Bortolotti", "Bove", "Brunelli",
	"Bruno", "Busi", "Caccamo", "Cacciatore", "Cafiero", "Calabrese", "Calanchi", "Calzolari", "Cannella",
	"Capasso", "Capelli", "Capone", "Capuano", "Caputo", "Carbone", "Carrozza", "Caruso", "Casadio", "Castelli",
	"Castiglione", "Catalano", "Cattaneo", "Cavazza", "Cavicchi", "Cevenini", "Ciccone", "Cinti", "Cirillo",
	"Cocchi", "Collina", "Colombo", "Colucci", "Conte", "Conti", "Coppola", "Corona", "Corticelli", "Costa",
	"Costantini", "Costanzo", "Cozzolino", "Criscuolo", "Cuomo", "D'Agostino", "D'Alessandro", "D'Amico",
	"D'Angelo", "Dall'Olio", "De Angelis", "De Luca", "De Rosa", "De Santis", "De Simone", "Degli Esposti",
	"Di Benedetto", "Di Lorenzo", "Di Maio", "Di Marco", "Di Stefano", "Donati", "Draghetti", "Esposito",
	"Fabbri", "Falco", "Fantuzzi", "Farina", "Fazio", "Ferrante", "Ferrara", "Ferrari", "Ferraro", "Ferretti",
	"Ferri", "Fini", "Fiore", "Fiorentino", "Fontana", "Forni", "Frabetti", "Franceschini", "Fusco",
	"Gagliardi", "Galasso", "Galli", "Gallo", "Gamberini", "Gandolfi", "Gardini", "Gargiulo", "Gatti",
	"Gentile", "Ghedini", "Gherardi", "Giacomelli", "Giannini", "Giordano", "Giuliani", "Giuliano", "Golinelli",
	"Gotti", "Govoni", "Grandi", "Grassi", "Grasso", "Greco", "Grieco", "Gualandi", "Guarino", "Guerra",
	"Guida", "Guidi", "Iacono", "Iannone", "Improta", "La Rosa", "Lambertini", "Landi", "Lanza", "Lanzoni",
	"Lenzi", "Leone", "Licata", "Lo Bue", "Lo Russo", "Lolli", "Lombardi", "Lombardo", "Lombardozzi", "Longo",
	"Lucchese", "Lucchi", "Maccaferri", "Maestri", "Maggio", "Magli", "Malaguti", "Mancini", "Mangano", "Manna",
	"Manzini", "Marchetti", "Marchi", "Mariani", "Marini", "Marino", "Marra", "Martinelli", "Martini",
	"Martino", "Martucci", "Marzocchi", "Masetti", "Mastroianni", "Mattioli", "Mauro", "Mazza", "Mazzanti",
	"Mele", "Melotti", "Menarini", "Merighi", "Messina", "Messineo", "Miceli", "Milani", "Milazzo", "Minarini",
	"Minervini", "Mingardi", "Monari", "Montanari", "Monti", "Mora", "Morandi", "Morelli", "Moretti",
	"Musumeci", "Nannetti", "Nanni", "Napolitano", "Nardella", "Natali", "Negri", "Neri", "Nerozzi", "Nicolosi",
	"Noto", "Orefice", "Orlando", "Orsi", "Pace", "Pagano", "Palladino", "Palma", "Palmieri", "Palumbo",
	"Pancaldi", "Pappalardo", "Parisi", "Parmeggiani", "Parrino", "Pasini", "Pasquali", "Patané", "Pedrini",
	"Pellegrini", "Pellegrino", "Pepe", "Perna", "Petrillo", "Piazzi", "Piccolo", "Pinto", "Piras", "Pirazzoli",
	"Pisani", "Pizzirani", "Poggi", "Polito", "Pondrelli", "Prisco", "Puglisi", "Pulvirenti", "Quadri",
	"Raimondi", "Raimondo", "Randazzo", "Ravaglia", "Ricci", "Riccio", "Righi", "Rimondi", "Rinaldi", "Riva",
	"Rizzi", "Rizzo", "Rizzoli", "Romano", "Romeo", "Ronchi", "Rossetti", "Rossi", "Roversi", "Rubini",
	"Ruggiero", "Ruocco", "Russo", "Russomanno", "Sabatino", "Sabattini", "Sabbioni", "Sala", "Salerno",
	"Sandri", "Sanna", "Sannino", "Santangelo", "Santi", "Santoro", "Sarti", "Sartori", "Scagliarini", "Scala",
	"Scarani", "Sciacca", "Scotto", "Scuderi", "Selleri", "Serio", "Serra", "Sessa", "Sica", "Siciliano",
	"Silvestri", "Simoni", "Sorrentino", "Soverini", "Spina", "Spinelli", "Stagni", "Stanzani", "Tabellini",
	"Tampellini", "Tarozzi", "Tartarini", "Tassinari", "Tedesco", "Testa", "Testoni", "Tinti", "Tomesani",
	"Tortora", "Trebbi", "Trotta", "Tufano", "Tugnoli", "Ugolini", "Vaccari", "Vaccaro", "Valente", "Valentini",
	"Valli", "Vecchi", "Vella", "Ventura", "Venturi", "Veronesi", "Vignoli", "Villa", "Vinci", "Vitale",
	"Vitali", "Volpe", "Zaccaria", "Zagni", "Zambelli", "Zanardi", "Zanasi", "Zanetti", "Zanotti", "Zappalà",
	"Zito", "Zoni", "Zucchini",
}

// nazionalita is a foreign community: its country of birth (codice
// catastale of the foreign state, as in the codice fiscale), its
// citizenship (ISO 3166-1 alpha-3), whether it is in the EU, its names, and
// its weight among the foreign households.
type nazionalita struct {
	belfiore, iso string
	ue            bool
	peso          int
	maschili      []string
	femminili     []string
	cognomi       []string
}

// nazionalita in order of weight. The codici catastali are those of the
// Agenzia delle entrate's table of foreign states.
var nazionalitaEstere = []nazionalita{
	{"Z330", "MAR", false, 22, // Marocco
		[]string{"Mohamed", "Ahmed", "Youssef", "Said", "Rachid", "Abdelkader", "Hassan", "Mustapha", "Khalid", "Hamza",
			"Omar", "Karim", "Mehdi", "Nabil", "Aziz", "Abdellah", "Brahim", "Driss", "Jamal", "Adil"},
		[]string{"Fatima", "Khadija", "Aicha", "Naima", "Malika", "Zineb", "Samira", "Hanane", "Latifa", "Nadia",
			"Saida", "Meryem", "Souad", "Rachida", "Hafsa", "Imane", "Salma", "Yasmine", "Nora", "Hind"},
		[]string{"El Amrani", "Benali", "El Idrissi", "Bennani", "Alaoui", "El Mansouri", "Tazi", "Chraibi", "Berrada",
			"El Fassi", "Ouali", "Bouzid", "Haddad", "Amrani", "Lahlou", "Ziani", "Naciri", "El Khatib", "Bakkali", "Rami"}},
	{"Z129", "ROU", true, 15, // Romania
		[]string{"Ion", "Gheorghe", "Vasile", "Constantin", "Mihai", "Andrei", "Alexandru", "Florin", "Adrian", "Marian",
			"Nicolae", "Dumitru", "Cristian", "Bogdan", "Catalin", "Ionut", "Razvan", "Sorin", "Daniel", "Stefan"},
		[]string{"Maria", "Elena", "Ioana", "Andreea", "Mihaela", "Ana", "Gabriela", "Alina", "Cristina", "Florentina",
			"Daniela", "Georgiana", "Roxana", "Simona", "Adriana", "Loredana", "Raluca", "Camelia", "Larisa", "Oana"},
		[]string{"Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei",
			"Ciobanu", "Rusu", "Munteanu", "Constantin", "Mihai", "Florea", "Lungu", "Dinu", "Marin", "Tudor"}},
	{"Z100", "ALB", false, 13, // Albania
		[]string{"Arben", "Besnik", "Ilir", "Gentian", "Artan", "Fatmir", "Blerim", "Edmond", "Klodian", "Erion",
			"Altin", "Dritan", "Elton", "Gezim", "Agron", "Luan", "Sokol", "Ardit", "Kristian", "Mario"},
		[]string{"Elona", "Anila", "Blerina", "Valbona", "Mirela", "Entela", "Eriona", "Arjola", "Jonida", "Klodiana",
			"Manjola", "Ornela", "Xhesika", "Rovena", "Fatjona", "Lindita", "Migena", "Suela", "Teuta", "Alketa"},
		[]string{"Hoxha", "Shehu", "Gjoka", "Leka", "Kola", "Marku", "Basha", "Krasniqi", "Dervishi", "Cela",
			"Hysa", "Prifti", "Meta", "Duka", "Gashi", "Berisha", "Lika", "Tahiri", "Zeneli", "Bregu"}},
	{"Z138", "UKR", false, 10, // Ucraina
		[]string{"Oleksandr", "Andriy", "Serhiy", "Volodymyr", "Mykola", "Vasyl", "Ivan", "Dmytro", "Yuriy", "Taras",
			"Bohdan", "Petro", "Viktor", "Oleh", "Roman", "Maksym", "Artem", "Denys", "Ihor", "Pavlo"},
		[]string{"Olena", "Natalia", "Iryna", "Oksana", "Tetiana", "Svitlana", "Halyna", "Yulia", "Olha", "Kateryna",
			"Mariia", "Liudmyla", "Nadiia", "Viktoriia", "Anastasiia", "Larysa", "Valentyna", "Lesia", "Khrystyna", "Zoriana"},
		[]string{"Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Kovalchuk",
			"Oliynyk", "Shevchuk", "Polishchuk", "Lysenko", "Marchenko", "Moroz", "Savchenko", "Rudenko", "Petrenko",
			"Klymenko", "Pavlenko", "Hnatiuk"}},
	{"Z236", "PAK", false, 8, // Pakistan
		[]string{"Muhammad", "Ali", "Ahmed", "Hassan", "Usman", "Bilal", "Imran", "Asif", "Tariq", "Zahid",
			"Kashif", "Shahid", "Naveed", "Waqas", "Irfan", "Faisal", "Adnan", "Sajid", "Javed", "Rizwan"},
		[]string{"Fatima", "Ayesha", "Sana", "Saima", "Nazia", "Rubina", "Shazia", "Amna", "Hina", "Mehwish",
			"Sadia", "Nadia", "Farzana", "Bushra", "Samina", "Kiran", "Rabia", "Zainab", "Asma", "Uzma"},
		[]string{"Khan", "Ahmed", "Ali", "Hussain", "Shah", "Iqbal", "Butt", "Malik", "Raza", "Akhtar",
			"Qureshi", "Chaudhry", "Mahmood", "Anwar", "Aslam", "Riaz", "Sharif", "Bashir", "Rehman", "Javed"}},
	{"Z335", "NGA", false, 8, // Nigeria
		[]string{"Chinedu", "Emeka", "Oluwaseun", "Ibrahim", "Chukwuemeka", "Tunde", "Samuel", "Godwin", "Sunday",
			"Friday", "Emmanuel", "Obinna", "Uche", "Kelechi", "Ikechukwu", "Osaro", "Efosa", "Osagie", "Daniel", "Victor"},
		[]string{"Blessing", "Joy", "Precious", "Chioma", "Ngozi", "Adaeze", "Favour", "Gift", "Esther", "Mercy",
			"Faith", "Osasu", "Ifeoma", "Amaka", "Funmilayo", "Grace", "Patience", "Peace", "Ebere", "Nneka"},
		[]string{"Okafor", "Okonkwo", "Eze", "Nwosu", "Obi", "Adeyemi", "Ogunleye", "Osagie", "Igbinedion", "Omoregie",
			"Ehigiator", "Osaghae", "Uwadia", "Okoro", "Chukwu", "Adebayo", "Balogun", "Oyelaran", "Nwachukwu", "Aigbe"}},
	{"Z352", "TUN", false, 8, // Tunisia
		[]string{"Mohamed", "Ahmed", "Ali", "Sami", "Walid", "Karim", "Nizar", "Hichem", "Mourad", "Riadh",
			"Anis", "Bilel", "Fethi", "Lotfi", "Mehdi", "Slim", "Tarek", "Yassine", "Zied", "Hamdi"},
		[]string{"Amel", "Leila", "Sonia", "Rim", "Ines", "Samia", "Wafa", "Hela", "Nesrine", "Olfa",
			"Sana", "Imen", "Mouna", "Rania", "Salma", "Asma", "Fatma", "Hajer", "Sarra", "Yosra"},
		[]string{"Ben Ali", "Trabelsi", "Gharbi", "Hammami", "Jebali", "Mejri", "Ayari", "Bouazizi", "Chaabane", "Dridi",
			"Ferchichi", "Jlassi", "Khelifi", "Mansouri", "Saidi", "Selmi", "Sassi", "Zouari", "Baccouche", "Karoui"}},
	{"Z140", "MDA", false, 6, // Moldavia
		[]string{"Ion", "Vasile", "Sergiu", "Victor", "Andrei", "Igor", "Vladimir", "Alexandru", "Nicolae", "Dumitru",
			"Valeriu", "Eugeniu", "Vitalie", "Oleg", "Ruslan", "Serghei", "Gheorghe", "Petru", "Mihail", "Veaceslav"},
		[]string{"Maria", "Elena", "Natalia", "Tatiana", "Svetlana", "Olga", "Ana", "Irina", "Ludmila", "Galina",
			"Valentina", "Lilia", "Cristina", "Diana", "Angela", "Aurelia", "Nina", "Rodica", "Liliana", "Victoria"},
		[]string{"Rusu", "Ceban", "Ciobanu", "Turcan", "Cojocaru", "Lungu", "Munteanu", "Bivol", "Sandu", "Gutu",
			"Rotaru", "Moraru", "Popa", "Cebotari", "Caraman", "Botnaru", "Melnic", "Lupu", "Ursu", "Plamadeala"}},
	{"Z249", "BGD", false, 5, // Bangladesh
		[]string{"Mohammad", "Abdul", "Rahim", "Karim", "Shahidul", "Rafiqul", "Aminul", "Jahangir", "Alamgir", "Mizanur",
			"Habibur", "Kamrul", "Nazrul", "Sohel", "Rubel", "Shamim", "Masud", "Anwar", "Faruk", "Jamal"},
		[]string{"Nasrin", "Shirin", "Rokeya", "Taslima", "Salma", "Shahnaz", "Nahar", "Farida", "Rahima", "Jesmin",
			"Sumaiya", "Tania", "Rupa", "Popy", "Mousumi", "Shapla", "Lipi", "Ruma", "Moni", "Akhi"},
		[]string{"Rahman", "Hossain", "Islam", "Uddin", "Ahmed", "Miah", "Sarkar", "Chowdhury", "Hasan", "Alam",
			"Mondal", "Sheikh", "Talukder", "Bhuiyan", "Sikder", "Biswas", "Howlader", "Karim", "Molla", "Haque"}},
	{"Z343", "SEN", false, 5, // Senegal
		[]string{"Mamadou", "Moussa", "Ibrahima", "Cheikh", "Abdoulaye", "Modou", "Ousmane", "Amadou", "Babacar", "Serigne",
			"Pape", "Aliou", "Lamine", "Souleymane", "Omar", "Malick", "Idrissa", "Assane", "Demba", "Saliou"},
		[]string{"Fatou", "Aminata", "Awa", "Mariama", "Khady", "Ndeye", "Aissatou", "Coumba", "Bineta", "Astou",
			"Sokhna", "Adama", "Maimouna", "Rokhaya", "Dieynaba", "Oumou", "Seynabou", "Marieme", "Codou", "Penda"},
		[]string{"Diop", "Ndiaye", "Fall", "Sow", "Diallo", "Sy", "Gueye", "Ba", "Faye", "Mbaye",
			"Cisse", "Seck", "Niang", "Sarr", "Thiam", "Kane", "Diouf", "Diagne", "Toure", "Sall"}},
}
