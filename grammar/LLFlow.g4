// The .llmflow language. This file is the grammar only: the parse tree never
// leaves compiler/parse, which builds the AST with a typed walk. Keep rules
// permissive where a precise diagnostic is better given by sema than by ANTLR
// (e.g. property names and types are checked by sema, not here).
grammar LLFlow;

module : moduleItem* EOF ;

moduleItem
  : importDecl
  | defaultsDecl
  | recordDecl
  | enumDecl
  | toolDecl
  | appDecl
  ;

importDecl
  : IMPORT dottedName (AS IDENT)? ';'        # stdImport
  | IMPORT STRING (AS IDENT)? ';'            # fileImport
  ;

dottedName : IDENT ('.' IDENT)* ;

defaultsDecl : DEFAULTS propBlock ;

recordDecl : RECORD IDENT '{' (field (',' field)* ','?)? '}' ;
field : IDENT ':' type ;

enumDecl : ENUM IDENT '{' (IDENT (',' IDENT)* ','?)? '}' ;

toolDecl : TOOL IDENT '(' paramList? ')' ('->' type)? propBlock ;

appDecl : APP IDENT '(' paramList? ')' ('->' type)? block ;

paramList : param (',' param)* ','? ;
param : IDENT ':' type ('=' expr)? ;

type
  : type '?'                                  # optionalSugar
  | type '??'                                 # optionalTwice
  | IDENT '<' type (',' type)* '>'            # genericType
  | qualifiedName                             # namedType
  ;

qualifiedName : IDENT ('.' IDENT)? ;

block : '{' stmt* '}' ;

stmt
  : LLM IDENT ('->' type)? propBlock                                   # llmStmt
  | PLANNER IDENT propBlock                                            # plannerStmt
  | TOOL IDENT '=' qualifiedName '(' argList? ')' (propBlock | ';')?   # toolStmt
  | CALL IDENT '=' qualifiedName '(' argList? ')' (propBlock | ';')?   # callStmt
  | IF IDENT '(' expr ')' block (ELSE block)?                          # ifStmt
  | LOOP IDENT ('->' type)? '(' argList? ')' block UNTIL '(' expr ')' ';'?  # loopStmt
  | MAP IDENT '(' IDENT IN expr (',' argList)? ')' block               # mapStmt
  | LET IDENT (':' type)? '=' expr ';'                                 # letStmt
  | YIELD expr ';'                                                     # yieldStmt
  | RETURN expr ';'                                                    # returnStmt
  ;

argList : arg (',' arg)* ','? ;
arg : IDENT (':' | '=') expr ;

propBlock : '{' prop* '}' ;
prop : IDENT '=' expr ';' ;

expr
  : primary                                              # primaryExpr
  | expr '.' IDENT                                       # memberExpr
  | expr '[' index ']'                                   # indexExpr
  | op=('!' | '-') expr                                  # unaryExpr
  | expr op=('*' | '/' | '%') expr                       # mulExpr
  | expr op=('+' | '-') expr                             # addExpr
  | <assoc=right> expr '??' expr                         # coalesceExpr
  | expr op=('<' | '<=' | '>' | '>=') expr               # relExpr
  | expr op=('==' | '!=') expr                           # eqExpr
  | expr '&&' expr                                       # andExpr
  | expr '||' expr                                       # orExpr
  ;

primary
  : INT                                                  # intLit
  | FLOAT                                                # floatLit
  | DURATION                                             # durationLit
  | STRING                                               # stringLit
  | TSTRING                                              # tripleStringLit
  | (TRUE | FALSE)                                       # boolLit
  | NONE                                                 # noneLit
  | IDENT '(' (expr (',' expr)*)? ')'                    # funcCall
  | IDENT                                                # nameRef
  | '[' (expr (',' expr)* ','?)? ']'                     # listLit
  | '{' (recField (',' recField)* ','?)? '}'             # recordLit
  | '(' expr ')'                                         # parenExpr
  | MATCH expr '{' matchArm (',' matchArm)* ','? '}'     # matchExpr
  ;

recField : IDENT ':' expr ;

// xs[i] or xs[lo:hi] (either bound may be left out).
index
  : lo=expr? ':' hi=expr?                                # sliceIndex
  | expr                                                 # elementIndex
  ;

// An arm names enum values (`pass`, `Verdict.pass`) or is `_` (the rest).
matchArm : pattern ('|' pattern)* '=>' expr ;
pattern : IDENT ('.' IDENT)* ;

// The expression inside a template's {{...}}, parsed on its own.
templateHole : expr EOF ;

// Keywords
IMPORT : 'import' ;
AS : 'as' ;
DEFAULTS : 'defaults' ;
RECORD : 'record' ;
ENUM : 'enum' ;
TOOL : 'tool' ;
APP : 'app' ;
LLM : 'llm' ;
PLANNER : 'planner' ;
CALL : 'call' ;
IF : 'if' ;
ELSE : 'else' ;
LOOP : 'loop' ;
UNTIL : 'until' ;
MAP : 'map' ;
IN : 'in' ;
LET : 'let' ;
MATCH : 'match' ;
YIELD : 'yield' ;
RETURN : 'return' ;
TRUE : 'true' ;
FALSE : 'false' ;
NONE : 'none' ;

DURATION : [0-9]+ ('.' [0-9]+)? ('ms' | 's' | 'm' | 'h') ;
FLOAT : [0-9]+ '.' [0-9]+ ([eE] [+-]? [0-9]+)? ;
INT : [0-9]+ ;
IDENT : [a-zA-Z_] [a-zA-Z_0-9]* ;
TSTRING : '"""' .*? '"""' ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;

LINE_COMMENT : '//' ~[\r\n]* -> skip ;
HASH_COMMENT : '#' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS : [ \t\r\n\u000C]+ -> skip ;

// Anything else becomes one token the parser cannot match, so a stray
// character is reported where it is instead of stopping the lexer.
ERROR_CHAR : . ;
