
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "CrmObject": [
      "Activity",
      "BusinessObject",
      "Call",
      "Contact",
      "Deal",
      "Email",
      "Task"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "CrmObject": [
      "Activity",
      "BusinessObject",
      "Call",
      "Contact",
      "Deal",
      "Email",
      "Task"
    ]
  }
};
      export default result;
    